package dev.rawsock.cli;

import dev.rawsock.wire.Bytes;
import dev.rawsock.wire.Ipv4Address;
import dev.rawsock.wire.Ipv4Options;
import dev.rawsock.wire.TcpOption;
import dev.rawsock.wire.TcpOptions;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The text forms of IP and TCP options on the command line, turned into the bytes that go on the wire.
 * Each problem is an IllegalArgumentException naming the item that is wrong.
 */
final class OptionSyntax {
    private OptionSyntax() {}

    /**
     * TCP options, comma-separated, in order: {@code mss=1460}, {@code wscale=7}, {@code sackok},
     * {@code ts=TSVAL:TSECR}, {@code sack=L-R[/L-R...]}, {@code nop}, {@code eol}, {@code raw=KIND:HEX}.
     */
    static Bytes tcpOptions(String text) {
        List<TcpOption> options = new ArrayList<>();
        for (String item : text.split(",")) {
            String t = item.trim();
            String name = t.contains("=") ? t.substring(0, t.indexOf('=')).toLowerCase(Locale.ROOT) : t.toLowerCase(Locale.ROOT);
            String value = t.contains("=") ? t.substring(t.indexOf('=') + 1) : null;
            try {
                switch (name) {
                    case "mss":
                        options.add(new TcpOption.Mss(range(required(name, value), 0xFFFF)));
                        break;
                    case "wscale":
                        options.add(new TcpOption.WindowScale(range(required(name, value), 0xFF)));
                        break;
                    case "sackok":
                        options.add(new TcpOption.SackPermitted());
                        break;
                    case "ts": {
                        String[] parts = required(name, value).split(":");
                        if (parts.length != 2) {
                            throw new IllegalArgumentException("expected TSVAL:TSECR");
                        }
                        options.add(new TcpOption.Timestamps(range32(parts[0]), range32(parts[1])));
                        break;
                    }
                    case "sack": {
                        List<TcpOption.SackBlock> blocks = new ArrayList<>();
                        for (String block : required(name, value).split("/")) {
                            String[] edges = block.split("-");
                            if (edges.length != 2) {
                                throw new IllegalArgumentException("expected LEFT-RIGHT blocks separated by '/'");
                            }
                            blocks.add(new TcpOption.SackBlock(range32(edges[0]), range32(edges[1])));
                        }
                        options.add(new TcpOption.Sack(blocks));
                        break;
                    }
                    case "nop":
                        options.add(new TcpOption.Nop());
                        break;
                    case "eol":
                        options.add(new TcpOption.Eol());
                        break;
                    case "raw": {
                        String[] parts = required(name, value).split(":", 2);
                        if (parts.length != 2) {
                            throw new IllegalArgumentException("expected KIND:HEX");
                        }
                        options.add(new TcpOption.Unknown(range(parts[0], 0xFF), Bytes.fromHex(parts[1])));
                        break;
                    }
                    default:
                        throw new IllegalArgumentException("unknown option (expected mss, wscale, sackok, ts, sack, nop, eol or raw)");
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("'" + t + "': " + e.getMessage());
            }
        }
        Bytes encoded = TcpOptions.encode(options);
        if (encoded.length() > 40) {
            throw new IllegalArgumentException("the options take " + encoded.length() + " bytes; TCP has room for 40");
        }
        return encoded;
    }

    /**
     * One IPv4 option: {@code nop}, {@code eol}, {@code rr=SLOTS}, {@code ts=SLOTS}, {@code lsrr=IP[,IP...]},
     * {@code ssrr=IP[,IP...]}, {@code ra=VALUE}, {@code raw=TYPE:HEX} (type, then the data after the length byte).
     */
    static byte[] ipOption(String text) {
        String t = text.trim();
        String name = t.contains("=") ? t.substring(0, t.indexOf('=')).toLowerCase(Locale.ROOT) : t.toLowerCase(Locale.ROOT);
        String value = t.contains("=") ? t.substring(t.indexOf('=') + 1) : null;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            switch (name) {
                case "nop":
                    out.write(Ipv4Options.NOP);
                    break;
                case "eol":
                    out.write(Ipv4Options.EOL);
                    break;
                case "rr": { // RFC 791: type, length, pointer (4 = first slot), empty 4-byte slots
                    int slots = range(required(name, value), 9);
                    out.write(Ipv4Options.RECORD_ROUTE);
                    out.write(3 + 4 * slots);
                    out.write(4);
                    out.writeBytes(new byte[4 * slots]);
                    break;
                }
                case "ts": { // RFC 791: type, length, pointer (5), overflow/flag (0: timestamps only), slots
                    int slots = range(required(name, value), 9);
                    out.write(Ipv4Options.TIMESTAMP);
                    out.write(4 + 4 * slots);
                    out.write(5);
                    out.write(0);
                    out.writeBytes(new byte[4 * slots]);
                    break;
                }
                case "lsrr":
                case "ssrr": {
                    String[] hops = required(name, value).split(",");
                    out.write(name.equals("lsrr") ? Ipv4Options.LOOSE_SOURCE_ROUTE : Ipv4Options.STRICT_SOURCE_ROUTE);
                    out.write(3 + 4 * hops.length);
                    out.write(4);
                    for (String hop : hops) {
                        int address = Ipv4Address.parse(hop);
                        out.write(address >>> 24);
                        out.write(address >>> 16);
                        out.write(address >>> 8);
                        out.write(address);
                    }
                    break;
                }
                case "ra": { // RFC 2113: type 148, length 4, a 16-bit value (0: examine the packet)
                    int v = range(value == null ? "0" : value, 0xFFFF);
                    out.write(Ipv4Options.ROUTER_ALERT);
                    out.write(4);
                    out.write(v >>> 8);
                    out.write(v);
                    break;
                }
                case "raw": {
                    String[] parts = required(name, value).split(":", 2);
                    if (parts.length != 2) {
                        throw new IllegalArgumentException("expected TYPE:HEX");
                    }
                    Bytes data = Bytes.fromHex(parts[1]);
                    out.write(range(parts[0], 0xFF));
                    out.write(2 + data.length());
                    out.writeBytes(data.toArray());
                    break;
                }
                default:
                    throw new IllegalArgumentException("unknown option (expected nop, eol, rr, ts, lsrr, ssrr, ra or raw)");
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + t + "': " + e.getMessage());
        }
        return out.toByteArray();
    }

    private static String required(String name, String value) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException(name + " needs a value (" + name + "=...)");
        }
        return value;
    }

    private static int range(String text, int max) {
        try {
            long v = Long.decode(text.trim());
            if (v < 0 || v > max) {
                throw new NumberFormatException();
            }
            return (int) v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("must be 0-" + max + " but was '" + text + "'");
        }
    }

    private static long range32(String text) {
        try {
            long v = Long.decode(text.trim());
            if (v < 0 || v > 0xFFFFFFFFL) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("must be 0-4294967295 but was '" + text + "'");
        }
    }
}
