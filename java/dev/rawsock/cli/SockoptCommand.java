package dev.rawsock.cli;

import dev.rawsock.linux.ErrnoException;
import dev.rawsock.socket.Domain;
import dev.rawsock.socket.Protocol;
import dev.rawsock.socket.Socket;
import dev.rawsock.socket.SocketApi;
import dev.rawsock.socket.SocketOption;
import dev.rawsock.socket.SocketOptions;
import dev.rawsock.socket.SocketType;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** Lists, reads or changes the options of a fresh socket of a chosen family and type. */
@Command(name = "sockopt", mixinStandardHelpOptions = true,
        description = {
            "List, read or change socket options, with their values and units.",
            "",
            "Open a fresh socket and list every known option with its current value and unit,",
            "or read (--get) or change (--set, then read back) one of them.",
        },
        footer = {"%nExamples:",
            "  rawsock sockopt",
            "  rawsock sockopt --type dgram",
            "  rawsock sockopt --get TCP_MAXSEG",
            "  rawsock sockopt --set SO_RCVBUF=65536 --trace",
            "  rawsock sockopt --type raw --protocol tcp     (needs CAP_NET_RAW)"})
final class SockoptCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--family", paramLabel = "FAMILY", converter = Converters.DomainConverter.class,
            defaultValue = "inet", description = "inet, inet6, unix or packet (default: ${DEFAULT-VALUE}).")
    Domain family;

    @Option(names = "--type", paramLabel = "TYPE", converter = Converters.TypeConverter.class,
            defaultValue = "stream", description = "stream, dgram, raw or seqpacket (default: ${DEFAULT-VALUE}).")
    SocketType type;

    @Option(names = "--protocol", paramLabel = "PROTO", converter = Converters.ProtocolConverter.class,
            description = "tcp, udp, icmp, raw, ip, ... (default: tcp for stream, udp for dgram, raw for raw,"
                    + " eth_p_all for packet, ip for unix).")
    Protocol protocol;

    @Option(names = "--get", paramLabel = "OPTION", description = "Read only this option (e.g. SO_RCVBUF).")
    String get;

    @Option(names = "--set", paramLabel = "OPTION=VALUE",
            description = "Change this option, then read it back (e.g. SO_RCVBUF=65536, SO_LINGER=5, SO_RCVTIMEO=1.5s).")
    String set;

    @Option(names = "--trace", description = "Print every system call as C.")
    boolean trace;

    @Override
    public Integer call() throws ErrnoException {
        PrintWriter out = spec.commandLine().getOut();
        SocketApi api = trace ? SocketApi.traced(out::println) : SocketApi.create();
        SocketOption<?> selected = null;
        String newValue = null;
        if (get != null && set != null) {
            throw new UsageException("--get and --set cannot be combined (--set reads the value back)");
        }
        if (get != null) {
            selected = option("--get", get);
        } else if (set != null) {
            int eq = set.indexOf('=');
            if (eq < 0) {
                throw new UsageException("--set: expected OPTION=VALUE but was '" + set + "'");
            }
            selected = option("--set", set.substring(0, eq));
            newValue = set.substring(eq + 1);
            if (!selected.settable()) {
                throw new UsageException("--set: " + selected.name() + " is read-only");
            }
        }
        try (Socket s = api.socket(family, type, protocol != null ? protocol : defaultProtocol())) {
            if (selected != null && newValue != null) {
                setParsed(api, s, selected, newValue);
            }
            List<SocketOption<?>> shown = new ArrayList<>();
            if (selected != null) {
                shown.add(selected);
            } else {
                for (SocketOption<?> o : SocketOptions.ALL) {
                    if (SocketOptions.appliesTo(o, family, type)) {
                        shown.add(o);
                    }
                }
            }
            out.printf("%-14s %-12s %-26s %s%n", "OPTION", "LEVEL", "VALUE", "UNIT");
            for (SocketOption<?> o : shown) {
                String value;
                try {
                    value = String.valueOf(api.getsockopt(s, o));
                } catch (ErrnoException e) {
                    if (selected != null) {
                        throw e;
                    }
                    value = "(" + e.getMessage() + ")";
                }
                out.printf("%-14s %-12s %-26s %s%n", o.name(), SocketOptions.levelName(o.level()), value, o.unit());
            }
        }
        return ExitCodes.OK;
    }

    private static SocketOption<?> option(String flag, String name) {
        SocketOption<?> o = SocketOptions.byName(name.trim());
        if (o == null) {
            List<String> names = new ArrayList<>();
            SocketOptions.ALL.forEach(k -> names.add(k.name()));
            throw new UsageException(flag + ": unknown option '" + name + "'; known: " + String.join(", ", names));
        }
        return o;
    }

    private static <T> void setParsed(SocketApi api, Socket s, SocketOption<T> option, String text) throws ErrnoException {
        T value;
        try {
            value = option.parse(text);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--set " + option.name() + ": " + e.getMessage());
        }
        api.setsockopt(s, option, value);
    }

    private Protocol defaultProtocol() {
        if (family == Domain.AF_PACKET) {
            return Protocol.ETH_P_ALL;
        }
        if (family == Domain.AF_UNIX) {
            return Protocol.IPPROTO_IP;
        }
        switch (type) {
            case SOCK_STREAM: return Protocol.IPPROTO_TCP;
            case SOCK_DGRAM: return Protocol.IPPROTO_UDP;
            case SOCK_RAW: return Protocol.IPPROTO_RAW;
            default: return Protocol.IPPROTO_IP;
        }
    }
}
