package dev.rawsock.capture;

import dev.rawsock.capture.FilterNode.Address;
import dev.rawsock.capture.FilterNode.And;
import dev.rawsock.capture.FilterNode.Base;
import dev.rawsock.capture.FilterNode.Direction;
import dev.rawsock.capture.FilterNode.EtherType;
import dev.rawsock.capture.FilterNode.Field;
import dev.rawsock.capture.FilterNode.IpProtocol;
import dev.rawsock.capture.FilterNode.Not;
import dev.rawsock.capture.FilterNode.Or;
import dev.rawsock.capture.FilterNode.Port;
import dev.rawsock.capture.FilterNode.Relation;
import dev.rawsock.wire.Ipv4Address;
import dev.rawsock.wire.Ipv6Address;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Parses the common part of tcpdump's filter language (pcap-filter(7)) into a {@link FilterNode} tree:
 *
 * <pre>
 * expression := unary (("and" | "&&" | "or" | "||") unary)*      and/or: same precedence, left to right
 * unary      := ("not" | "!") unary | "(" expression ")" | primitive
 * primitive  := ip | ip6 | arp | tcp | udp | sctp | icmp | icmp6
 *             | [ip|ip6] proto N | ether proto N
 *             | [ip|ip6|arp] [src|dst] (host ADDRESS | net ADDRESS/LEN)
 *             | [tcp|udp|sctp] [src|dst] (port N | portrange N-M)
 *             | (ip|tcp|udp|icmp) "[" OFFSET [":" 1|2|4] "]" ["&" VALUE] [RELATION VALUE]
 *             | ID                        (a bare port, address or range: the qualifiers of the primitive before)
 * </pre>
 *
 * As in tcpdump, {@code and} and {@code or} have the same precedence and group from the left, so
 * {@code a or b and c} is {@code (a or b) and c}: use parentheses. A RELATION is {@code == = != < <= > >=};
 * a VALUE is numbers (decimal or 0x hex) and names joined by {@code |}: the TCP flags {@code fin syn rst psh
 * ack urg ece cwr} (also {@code tcp-syn} ...), ICMP types ({@code icmp-echo}, ...). Field offsets may be
 * {@code tcpflags}/{@code flags} (13) and {@code icmptype} (0)/{@code icmpcode} (1). Without a relation,
 * {@code & VALUE} means "any of these bits": {@code tcp[flags] & syn|ack} is {@code tcp[13] & 0x12 != 0}.
 * Keywords are matched without regard to case; addresses are numeric (names are not resolved). Errors are
 * {@link FilterSyntaxException}s with the column.
 */
public final class FilterParser {
    private enum Kind { WORD, SYMBOL, END }

    private record Token(Kind kind, String text, int column) {
        boolean is(String s) {
            return kind != Kind.END && text.equalsIgnoreCase(s);
        }
    }

    private enum Type { HOST, NET, PORT, PORTRANGE }

    /** The qualifiers of the last primitive, for a bare ID after it (tcpdump: "port 80 or 443"). */
    private record Qualifiers(String protocol, Direction direction, Type type) {}

    private static final Map<String, Integer> CONSTANTS = Map.ofEntries(
            Map.entry("fin", 0x01), Map.entry("syn", 0x02), Map.entry("rst", 0x04), Map.entry("psh", 0x08),
            Map.entry("ack", 0x10), Map.entry("urg", 0x20), Map.entry("ece", 0x40), Map.entry("cwr", 0x80),
            Map.entry("tcp-fin", 0x01), Map.entry("tcp-syn", 0x02), Map.entry("tcp-rst", 0x04), Map.entry("tcp-push", 0x08),
            Map.entry("tcp-psh", 0x08), Map.entry("tcp-ack", 0x10), Map.entry("tcp-urg", 0x20), Map.entry("tcp-ece", 0x40),
            Map.entry("tcp-cwr", 0x80),
            Map.entry("icmp-echoreply", 0), Map.entry("icmp-unreach", 3), Map.entry("icmp-sourcequench", 4),
            Map.entry("icmp-redirect", 5), Map.entry("icmp-echo", 8), Map.entry("icmp-routeradvert", 9),
            Map.entry("icmp-routersolicit", 10), Map.entry("icmp-timxceed", 11), Map.entry("icmp-paramprob", 12),
            Map.entry("icmp-tstamp", 13), Map.entry("icmp-tstampreply", 14), Map.entry("icmp-ireq", 15),
            Map.entry("icmp-ireqreply", 16), Map.entry("icmp-maskreq", 17), Map.entry("icmp-maskreply", 18));

    private static final List<String> KEYWORDS = List.of("and", "or", "not", "ip", "ip6", "arp", "tcp", "udp", "sctp",
            "icmp", "icmp6", "src", "dst", "host", "net", "port", "portrange", "proto", "ether");

    private static final String PRIMITIVES = "tcp, udp, icmp, ip, ip6, arp, host, net, port, portrange, proto or tcp[...]";

    private final String text;
    private final List<Token> tokens;
    private int next;
    private Qualifiers last;

    private FilterParser(String text) {
        this.text = text;
        this.tokens = tokenize(text);
    }

    /**
     * Parses {@code text}; null for an empty (or blank) expression, which matches every packet.
     * FilterSyntaxException, with the column, for anything else that is not a filter.
     */
    public static FilterNode parse(String text) {
        FilterParser p = new FilterParser(text);
        if (p.peek().kind == Kind.END) {
            return null;
        }
        FilterNode node = p.expression();
        if (p.peek().kind != Kind.END) {
            Token t = p.peek();
            throw p.error(t.is(")") ? "unbalanced ')': no '(' before it" : "expected 'and', 'or' or the end but found '" + t.text + "'", t);
        }
        return node;
    }

    // ---- tokens ----

    private List<Token> tokenize(String s) {
        List<Token> out = new ArrayList<>();
        int i = 0;
        int brackets = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
                continue;
            }
            int start = i;
            if (wordChar(c, brackets > 0)) {
                while (i < s.length() && wordChar(s.charAt(i), brackets > 0)) {
                    i++;
                }
                out.add(new Token(Kind.WORD, s.substring(start, i), start + 1));
                continue;
            }
            String two = i + 1 < s.length() ? s.substring(i, i + 2) : "";
            String symbol;
            if (two.equals("&&") || two.equals("||") || two.equals("==") || two.equals("!=") || two.equals("<=")
                    || two.equals(">=")) {
                symbol = two;
            } else if ("()[]&|!=<>".indexOf(c) >= 0 || (c == ':' && brackets > 0)) {
                symbol = String.valueOf(c);
            } else {
                throw new FilterSyntaxException("unexpected character '" + c + "'", s, start + 1);
            }
            if (symbol.equals("[")) {
                brackets++;
            } else if (symbol.equals("]") && brackets > 0) {
                brackets--;
            }
            out.add(new Token(Kind.SYMBOL, symbol, start + 1));
            i += symbol.length();
        }
        out.add(new Token(Kind.END, "", s.length() + 1));
        return out;
    }

    private static boolean wordChar(char c, boolean inBrackets) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '.' || c == '-' || c == '/' || (c == ':' && !inBrackets);
    }

    private Token peek() {
        return tokens.get(next);
    }

    private Token take() {
        Token t = tokens.get(next);
        if (t.kind != Kind.END) {
            next++;
        }
        return t;
    }

    private FilterSyntaxException error(String problem, Token at) {
        return new FilterSyntaxException(problem, text, at.column);
    }

    private Token expect(String symbol, String what) {
        Token t = peek();
        if (!t.is(symbol)) {
            throw error("expected " + what + found(t), t);
        }
        return take();
    }

    private static String found(Token t) {
        // The caret shows what was found; say so only when nothing was.
        return t.kind == Kind.END ? " but the expression ends" : "";
    }

    // ---- expressions ----

    private FilterNode expression() {
        FilterNode left = unary();
        while (true) {
            Token t = peek();
            if (t.is("and") || t.is("&&")) {
                take();
                left = new And(left, unary());
            } else if (t.is("or") || t.is("||")) {
                take();
                left = new Or(left, unary());
            } else {
                return left;
            }
        }
    }

    private FilterNode unary() {
        Token t = peek();
        if (t.is("not") || t.is("!")) {
            take();
            return new Not(unary());
        }
        if (t.is("(")) {
            take();
            if (peek().is(")")) {
                throw error("expected an expression inside the parentheses", peek());
            }
            FilterNode inside = expression();
            expect(")", "')' to close the '(' at column " + t.column);
            return inside;
        }
        return primitive();
    }

    private FilterNode primitive() {
        Token t = peek();
        if (t.kind != Kind.WORD) {
            throw error("expected a primitive (" + PRIMITIVES + ")" + (t.kind == Kind.END ? found(t) : " but found '" + t.text + "'"), t);
        }
        String word = t.text.toLowerCase(Locale.ROOT);
        switch (word) {
            case "ip": case "ip6": case "arp": case "tcp": case "udp": case "sctp": case "icmp": case "icmp6":
                take();
                return afterProtocol(word, t);
            case "ether":
                take();
                expectWord("proto", "'proto' after 'ether'");
                int type = (int) number(take(), 0xFFFF, "an EtherType (a number such as 0x0800)");
                return new EtherType(type);
            case "proto":
                take();
                return new IpProtocol(true, true, ipProtocolNumber());
            case "src": case "dst": case "host": case "net": case "port": case "portrange":
                return qualified(null, t);
            default:
                if (looksLikeId(word)) {
                    return bareId(t);
                }
                throw error("expected a primitive (" + PRIMITIVES + ") but found '" + t.text + "'", t);
        }
    }

    private void expectWord(String word, String what) {
        Token t = peek();
        if (!t.is(word)) {
            throw error("expected " + what + found(t), t);
        }
        take();
    }

    /** After ip, ip6, arp, tcp, udp, sctp, icmp, icmp6. */
    private FilterNode afterProtocol(String protocol, Token at) {
        Token t = peek();
        if (t.is("[")) {
            switch (protocol) {
                case "ip": return field(Base.IP, at);
                case "tcp": return field(Base.TCP, at);
                case "udp": return field(Base.UDP, at);
                case "icmp": return field(Base.ICMP, at);
                default: throw error("'" + protocol + "[...]' is not supported (ip, tcp, udp and icmp are)", t);
            }
        }
        if (t.is("proto") && (protocol.equals("ip") || protocol.equals("ip6"))) {
            take();
            return new IpProtocol(protocol.equals("ip"), protocol.equals("ip6"), ipProtocolNumber());
        }
        if (t.is("src") || t.is("dst") || t.is("host") || t.is("net") || t.is("port") || t.is("portrange")) {
            return qualified(protocol, t);
        }
        switch (protocol) {
            case "ip": return new EtherType(0x0800);
            case "ip6": return new EtherType(0x86DD);
            case "arp": return new EtherType(0x0806);
            case "tcp": return new IpProtocol(true, true, FilterNode.IPPROTO_TCP);
            case "udp": return new IpProtocol(true, true, FilterNode.IPPROTO_UDP);
            case "sctp": return new IpProtocol(true, true, FilterNode.IPPROTO_SCTP);
            case "icmp": return new IpProtocol(true, false, FilterNode.IPPROTO_ICMP);
            default: return new IpProtocol(false, true, FilterNode.IPPROTO_ICMPV6);
        }
    }

    private int ipProtocolNumber() {
        Token t = take();
        if (t.kind == Kind.WORD) {
            switch (t.text.toLowerCase(Locale.ROOT)) {
                case "tcp": return FilterNode.IPPROTO_TCP;
                case "udp": return FilterNode.IPPROTO_UDP;
                case "icmp": return FilterNode.IPPROTO_ICMP;
                case "icmp6": return FilterNode.IPPROTO_ICMPV6;
                case "sctp": return FilterNode.IPPROTO_SCTP;
                default: break;
            }
        }
        return (int) number(t, 255, "a protocol number (0-255) or name (tcp, udp, icmp, icmp6, sctp)");
    }

    /** [src|dst] (host|net|port|portrange) ID, after an optional protocol qualifier. */
    private FilterNode qualified(String protocol, Token start) {
        Direction direction = Direction.EITHER;
        if (peek().is("src") || peek().is("dst")) {
            direction = peek().is("src") ? Direction.SRC : Direction.DST;
            take();
        }
        Token t = peek();
        Type type;
        if (t.is("host")) {
            type = Type.HOST;
        } else if (t.is("net")) {
            type = Type.NET;
        } else if (t.is("port")) {
            type = Type.PORT;
        } else if (t.is("portrange")) {
            type = Type.PORTRANGE;
        } else if (direction != Direction.EITHER && t.kind == Kind.WORD && looksLikeAddress(t.text)) {
            type = Type.HOST; // "src 127.0.0.1", as in tcpdump
            return build(new Qualifiers(protocol, direction, type), take());
        } else {
            throw error("expected host, net, port or portrange" + found(t), t);
        }
        take();
        return build(new Qualifiers(protocol, direction, type), take());
    }

    /** A bare ID: the previous primitive's qualifiers, or a host when it is an address. */
    private FilterNode bareId(Token t) {
        take();
        if (last != null) {
            return build(last, t);
        }
        if (looksLikeAddress(t.text)) {
            return build(new Qualifiers(null, Direction.EITHER, Type.HOST), t);
        }
        throw error("expected a primitive (" + PRIMITIVES + ") but found '" + t.text + "' (a bare number needs a qualifier, such as 'port "
                + t.text + "')", t);
    }

    private FilterNode build(Qualifiers q, Token id) {
        FilterNode node;
        switch (q.type) {
            case HOST:
            case NET:
                node = address(q, id);
                break;
            case PORT: {
                int[] protocols = portProtocols(q.protocol, id, "port");
                int port = port(id, "a port number");
                node = new Port(q.direction, port, port, protocols);
                break;
            }
            default: {
                int[] protocols = portProtocols(q.protocol, id, "portrange");
                node = portRange(q, id, protocols);
                break;
            }
        }
        last = q;
        return node;
    }

    private int[] portProtocols(String protocol, Token id, String type) {
        if (protocol == null) {
            return new int[] {FilterNode.IPPROTO_TCP, FilterNode.IPPROTO_UDP, FilterNode.IPPROTO_SCTP};
        }
        switch (protocol) {
            case "tcp": return new int[] {FilterNode.IPPROTO_TCP};
            case "udp": return new int[] {FilterNode.IPPROTO_UDP};
            case "sctp": return new int[] {FilterNode.IPPROTO_SCTP};
            default: throw error("'" + protocol + " " + type + "' is not a filter: " + type + " takes tcp, udp or sctp", id);
        }
    }

    private int port(Token t, String what) {
        if (t.kind != Kind.WORD || !isNumber(t.text)) {
            throw error("expected " + what + found(t), t);
        }
        long value = parseNumber(t.text);
        if (value < 0 || value > 65535) {
            throw error("port must be 0-65535 but was " + t.text, t);
        }
        return (int) value;
    }

    private FilterNode portRange(Qualifiers q, Token t, int[] protocols) {
        String s = t.kind == Kind.WORD ? t.text : "";
        int dash = s.indexOf('-');
        if (dash <= 0 || !isNumber(s.substring(0, dash)) || !isNumber(s.substring(dash + 1))) {
            throw error("expected a port range such as 1024-2048" + found(t), t);
        }
        long low = parseNumber(s.substring(0, dash));
        long high = parseNumber(s.substring(dash + 1));
        if (low > 65535 || high > 65535) {
            throw error("ports must be 0-65535 but the range was " + s, t);
        }
        if (low > high) {
            throw error("the port range " + s + " runs backwards", t);
        }
        return new Port(q.direction, (int) low, (int) high, protocols);
    }

    private FilterNode address(Qualifiers q, Token t) {
        boolean net = q.type == Type.NET;
        if (t.kind != Kind.WORD || !looksLikeAddress(t.text)) {
            throw error("expected " + (net ? "a network such as 127.0.0.0/8" : "an IPv4 or IPv6 address")
                    + (t.kind == Kind.WORD && !looksLikeAddress(t.text) && Character.isLetter(t.text.charAt(0))
                    ? " (names such as '" + t.text + "' are not resolved)" : found(t)), t);
        }
        String s = t.text;
        int slash = s.indexOf('/');
        String addressText = slash >= 0 ? s.substring(0, slash) : s;
        boolean ipv6 = addressText.indexOf(':') >= 0;
        int bits = ipv6 ? 128 : 32;
        int prefix = bits;
        if (slash >= 0) {
            if (!net) {
                throw error("a host is one address: write 'net " + s + "' for a network", t);
            }
            String p = s.substring(slash + 1);
            if (!p.chars().allMatch(Character::isDigit) || p.isEmpty() || p.length() > 3 || Integer.parseInt(p) > bits) {
                throw error("the prefix length in " + s + " must be 0-" + bits, t);
            }
            prefix = Integer.parseInt(p);
        }
        int[] words;
        try {
            if (ipv6) {
                ByteBuffer b = ByteBuffer.wrap(Ipv6Address.parseInto(addressText, new byte[16]));
                words = new int[] {b.getInt(0), b.getInt(4), b.getInt(8), b.getInt(12)};
            } else {
                words = new int[] {Ipv4Address.parse(addressText)};
            }
        } catch (IllegalArgumentException e) {
            throw error(e.getMessage(), t);
        }
        int[] masks = new int[words.length];
        for (int i = 0; i < words.length; i++) {
            int bitsHere = Math.max(0, Math.min(32, prefix - 32 * i));
            masks[i] = bitsHere == 0 ? 0 : (int) (0xFFFF_FFFFL << (32 - bitsHere));
            if ((words[i] & ~masks[i]) != 0) {
                throw error("non-network bits set in " + s + " (the network is written with them 0)", t);
            }
        }
        boolean overIp;
        boolean overArp;
        String protocol = q.protocol;
        if (protocol == null) {
            overIp = true;
            overArp = !ipv6;
        } else {
            switch (protocol) {
                case "ip":
                    if (ipv6) {
                        throw error("'ip " + (net ? "net" : "host") + "' takes an IPv4 address; use ip6 for " + s, t);
                    }
                    overIp = true;
                    overArp = false;
                    break;
                case "ip6":
                    if (!ipv6) {
                        throw error("'ip6 " + (net ? "net" : "host") + "' takes an IPv6 address; use ip for " + s, t);
                    }
                    overIp = true;
                    overArp = false;
                    break;
                case "arp":
                    if (ipv6) {
                        throw error("ARP carries IPv4 addresses, not " + s, t);
                    }
                    overIp = false;
                    overArp = true;
                    break;
                default:
                    throw error("'" + protocol + " " + (net ? "net" : "host") + "' is not a filter: host and net take ip, ip6 or arp"
                            + " (write '" + protocol + " and host ...')", t);
            }
        }
        return new Address(q.direction, ipv6, overIp, overArp, words, masks, prefix, net);
    }

    // ---- tcp[13] & 0x12 != 0 ----

    private FilterNode field(Base base, Token at) {
        Token open = take(); // [
        Token t = take();
        int offset;
        boolean named = false;
        String name = t.kind == Kind.WORD ? t.text.toLowerCase(Locale.ROOT) : "";
        if (base == Base.TCP && (name.equals("tcpflags") || name.equals("flags"))) {
            offset = 13;
            named = true;
        } else if (base == Base.ICMP && (name.equals("icmptype") || name.equals("icmpcode"))) {
            offset = name.equals("icmptype") ? 0 : 1;
            named = true;
        } else if (t.kind == Kind.WORD && isNumber(t.text)) {
            long value = parseNumber(t.text);
            if (value > 65535) {
                throw error("the offset must be 0-65535 but was " + t.text, t);
            }
            offset = (int) value;
        } else {
            String names = base == Base.TCP ? " or tcpflags" : base == Base.ICMP ? ", icmptype or icmpcode" : "";
            throw error("expected a byte offset" + names + " inside " + base.text() + "[...]" + found(t), t);
        }
        int size = 1;
        if (peek().is(":")) {
            take();
            Token s = take();
            if (named || s.kind != Kind.WORD || !(s.text.equals("1") || s.text.equals("2") || s.text.equals("4"))) {
                throw error(named ? "a named field is one byte" : "expected a size of 1, 2 or 4 bytes" + found(s), s);
            }
            size = Integer.parseInt(s.text);
        }
        expect("]", "']' to close the '[' at column " + open.column);
        long mask = -1;
        if (peek().is("&")) {
            take();
            mask = value();
        }
        Token r = peek();
        Relation relation = relation(r);
        if (relation == null) {
            if (mask < 0) {
                throw error("expected '&' or a comparison (== != < <= > >=) after " + base.text() + "[...]" + found(r), r);
            }
            return new Field(base, offset, size, mask, Relation.NE, 0);
        }
        take();
        return new Field(base, offset, size, mask, relation, value());
    }

    private static Relation relation(Token t) {
        if (t.kind != Kind.SYMBOL) {
            return null;
        }
        switch (t.text) {
            case "=": case "==": return Relation.EQ;
            case "!=": return Relation.NE;
            case "<": return Relation.LT;
            case "<=": return Relation.LE;
            case ">": return Relation.GT;
            case ">=": return Relation.GE;
            default: return null;
        }
    }

    /** term ("|" term)*, where a term is a number, a constant name, or a parenthesized value. */
    private long value() {
        long v = term();
        while (peek().is("|")) {
            take();
            v |= term();
        }
        return v;
    }

    private long term() {
        Token t = take();
        if (t.is("(")) {
            long v = value();
            expect(")", "')' to close the '(' at column " + t.column);
            return v;
        }
        if (t.kind == Kind.WORD) {
            Integer constant = CONSTANTS.get(t.text.toLowerCase(Locale.ROOT));
            if (constant != null) {
                return constant;
            }
            if (isNumber(t.text)) {
                return number(t, 0xFFFF_FFFFL, "a number");
            }
        }
        throw error("expected a number or a flag name (fin, syn, rst, psh, ack, urg, ece, cwr)" + found(t), t);
    }

    // ---- words ----

    private long number(Token t, long max, String what) {
        if (t.kind != Kind.WORD || !isNumber(t.text)) {
            throw error("expected " + what + found(t), t);
        }
        long v = parseNumber(t.text);
        if (v < 0 || v > max) {
            throw error("the number " + t.text + " is above " + max, t);
        }
        return v;
    }

    private static boolean isNumber(String s) {
        String l = s.toLowerCase(Locale.ROOT);
        if (l.startsWith("0x")) {
            return l.length() > 2 && l.length() <= 10 && l.substring(2).chars().allMatch(c -> Character.digit(c, 16) >= 0);
        }
        return !l.isEmpty() && l.length() <= 10 && l.chars().allMatch(c -> c >= '0' && c <= '9');
    }

    /** A number {@link #isNumber} accepted; may exceed 32 bits for 10 decimal digits (callers check). */
    private static long parseNumber(String s) {
        String l = s.toLowerCase(Locale.ROOT);
        return l.startsWith("0x") ? Long.parseLong(l.substring(2), 16) : Long.parseLong(l);
    }

    private static boolean looksLikeAddress(String s) {
        if (s.indexOf(':') >= 0) {
            return s.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.' || c == '/');
        }
        return s.indexOf('.') > 0 && s.chars().allMatch(c -> (c >= '0' && c <= '9') || c == '.' || c == '/');
    }

    private static boolean looksLikeId(String word) {
        return !KEYWORDS.contains(word) && (isNumber(word) || looksLikeAddress(word)
                || (word.indexOf('-') > 0 && word.chars().allMatch(c -> (c >= '0' && c <= '9') || c == '-')));
    }
}
