package dev.rawsock.cli;

import dev.rawsock.helper.Accounts;
import dev.rawsock.helper.AuditLog;
import dev.rawsock.helper.HelperClient;
import dev.rawsock.helper.HelperServer;
import dev.rawsock.helper.Policy;
import dev.rawsock.helper.SocketFile;
import dev.rawsock.socket.RawSender;
import dev.rawsock.socket.SocketApi;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** Runs the privileged helper: a daemon on a Unix socket that sends and captures for allowed users, inside a policy. */
@Command(name = "helper", mixinStandardHelpOptions = true,
        description = {
            "The privileged helper: sends and captures for allowed users.",
            "",
            "Run the privileged helper: it keeps CAP_NET_RAW (run it as root) and listens",
            "on a Unix socket; allowed users' 'rawsock send', 'rawsock sniff' and JUnit",
            "tests go through it (--helper PATH or RAWSOCK_HELPER=PATH) when they have no",
            "raw sockets of their own. Every connection is authenticated by SO_PEERCRED",
            "(root, --allow-uid, --allow-group); every request is checked against the",
            "policy and logged (one audit line each). It never hands out a socket.",
            "A PATH starting with '@' is a Linux abstract socket (no file). The socket",
            "file is removed on exit (Ctrl-C, SIGTERM).",
        },
        footer = {"%nExamples:",
            "  sudo rawsock helper --socket /run/rawsock.sock --allow-group rawsock \\",
            "                      --socket-group rawsock",
            "  sudo rawsock helper --socket /run/rawsock.sock --allow-uid 1000 --max-pps 100",
            "  sudo rawsock helper --socket @rawsock --config /etc/rawsock/helper.conf",
            "%nThe config file holds key=value lines with the options' names (allow-uid=1000,",
            "max-pps=100, socket-group=..., audit-log=...; '#' comments). A value given",
            "on the command line wins over the file's; the allow-* lists add to it. A bad",
            "line exits 2 naming file:line."})
final class HelperCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--socket", paramLabel = "PATH", required = true, description = "Where to listen ('@name': abstract).")
    String socketPath;

    @Option(names = "--socket-group", paramLabel = "GROUP", description = "Group of the socket file (mode then 0660 unless --socket-mode).")
    String socketGroup;

    @Option(names = "--socket-mode", paramLabel = "MODE", description = "The socket file's mode: 0600, 0660 or 0666 (default: 0660 with --socket-group, else 0666: SO_PEERCRED decides).")
    String socketMode;

    @Option(names = "--allow-uid", paramLabel = "UID", description = "Users allowed to connect (names or numbers, comma-separated; root always is).")
    List<String> allowUids;

    @Option(names = "--allow-group", paramLabel = "GROUP", description = "Groups whose members may connect (primary group, or listed in /etc/group).")
    List<String> allowGroups;

    @Option(names = "--allow-prefix", paramLabel = "PREFIX", description = "Where packets may go, and come from (default: 127.0.0.0/8; a client's open lab adds 198.18.0.0/15).")
    List<String> allowPrefixes;

    @Option(names = "--allow-proto", paramLabel = "PROTO", description = "IP protocols allowed (default: tcp,udp,icmp).")
    List<String> allowProtocols;

    @Option(names = "--max-pps", paramLabel = "N", description = "Packets per second per user (default: 1000).")
    String maxPps;

    @Option(names = "--max-bps", paramLabel = "N", description = "Bytes per second per user (default: 1000000).")
    String maxBps;

    @Option(names = "--max-packet-bytes", paramLabel = "N", description = "Largest packet (default: 1500).")
    String maxPacketBytes;

    @Option(names = "--max-clients", paramLabel = "N", description = "Clients served at once (default: 16).")
    String maxClients;

    @Option(names = "--max-capture", paramLabel = "TIME", description = "Longest capture (default: 60s).")
    String maxCapture;

    @Option(names = "--config", paramLabel = "FILE", description = "Read settings from FILE (key=value lines).")
    Path config;

    @Option(names = "--audit-log", paramLabel = "FILE", description = "Append the audit log to FILE (default: stderr).")
    Path auditLog;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        Policy.Builder builder = new Policy.Builder();
        if (config != null) {
            try {
                builder.file(config);
            } catch (NoSuchFileException e) {
                throw new UsageException("--config: no such file: " + config);
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage());
            }
        }
        // each option by the config file's key for it (the file's checks and messages serve both)
        Map<String, List<String>> options = new LinkedHashMap<>();
        options.put("allow-uid", allowUids);
        options.put("allow-group", allowGroups);
        options.put("allow-prefix", allowPrefixes);
        options.put("allow-proto", allowProtocols);
        String[][] single = {{"max-pps", maxPps}, {"max-bps", maxBps}, {"max-packet-bytes", maxPacketBytes},
            {"max-clients", maxClients}, {"max-capture", maxCapture}};
        for (String[] kv : single) {
            options.put(kv[0], kv[1] == null ? null : List.of(kv[1]));
        }
        for (Map.Entry<String, List<String>> o : options.entrySet()) {
            if (o.getValue() == null) {
                continue;
            }
            for (String value : o.getValue()) {
                try {
                    builder.set(o.getKey(), value);
                } catch (IllegalArgumentException e) {
                    throw new UsageException("--" + o.getKey() + ": " + e.getMessage());
                }
            }
        }
        Policy policy = builder.build();
        String group = socketGroup != null ? socketGroup : builder.other("socket-group");
        String mode = socketMode != null ? socketMode : builder.other("socket-mode");
        Path logFile = auditLog != null ? auditLog : builder.other("audit-log") != null ? Path.of(builder.other("audit-log")) : null;
        String permissions = permissions(mode, group != null);
        Integer gid = null;
        if (group != null) {
            try {
                gid = Accounts.gid(group);
            } catch (IllegalArgumentException e) {
                throw new UsageException("--socket-group: " + e.getMessage());
            }
        }

        // Fail now, not at the first request, when this process cannot open raw sockets (exit 3 with the remedy).
        RawSender.open(SocketApi.create()).close();

        PrintStream auditStream = logFile != null
                ? new PrintStream(new FileOutputStream(logFile.toFile(), true), true, StandardCharsets.UTF_8)
                : new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.err), true, StandardCharsets.UTF_8);
        SocketFile socket;
        try {
            socket = SocketFile.listen(socketPath, permissions, gid);
        } catch (FileAlreadyExistsException e) {
            throw new UsageException("--socket " + socketPath + ": " + e.getReason());
        } catch (IOException e) {
            throw new IOException("cannot listen at " + socketPath + ": " + e.getMessage(), e);
        }
        try (AuditLog audit = new AuditLog(auditStream, logFile != null)) {
            HelperServer server = HelperServer.start(socket, policy, audit, HelperServer.Timeouts.DEFAULT);
            Thread hook = new Thread(server::close, "rawsock-helper-stop");
            Runtime.getRuntime().addShutdownHook(hook);
            err.println("rawsock helper: listening on " + socketPath
                    + (SocketFile.isAbstract(socketPath) ? " (abstract)" : " (mode " + permissions + (group != null ? ", group " + group : "") + ")")
                    + "; policy: " + policy.summary());
            err.flush();
            if (!server.awaitStop()) { // the listening socket failed (the audit log says how): stop, and remove the file
                server.close();
                err.println("rawsock helper: stopped accepting connections (see the audit log)");
                return ExitCodes.FAILURE;
            }
            hook.join(5_000); // stopped by the hook (Ctrl-C, SIGTERM): let it finish before the audit log closes
        }
        return ExitCodes.OK;
    }

    /**
     * For send and sniff: the helper to go through, or null to use this process's own sockets. The helper
     * (--helper, else $RAWSOCK_HELPER) is used only when raw sockets are not permitted here; then it says so
     * once, on stderr.
     */
    static String route(String option, PrintWriter err, String doing) {
        String path = HelperClient.configuredPath(option);
        if (path == null) {
            return null;
        }
        try {
            RawSender.open(SocketApi.create()).close();
            return null;
        } catch (dev.rawsock.linux.ErrnoException e) {
            if (!e.notPermitted()) {
                return null; // another failure: let the command meet it and report it
            }
        }
        err.println("rawsock: no CAP_NET_RAW here; " + doing + " through the helper at " + path);
        err.flush();
        return path;
    }

    private static String permissions(String mode, boolean group) {
        String m = mode == null ? (group ? "0660" : "0666") : mode.trim();
        switch (m) {
            case "0600": case "600": return "rw-------";
            case "0660": case "660": return "rw-rw----";
            case "0666": case "666": return "rw-rw-rw-";
            default: throw new UsageException("--socket-mode: '" + m + "' is not 0600, 0660 or 0666");
        }
    }
}
