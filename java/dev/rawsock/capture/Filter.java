package dev.rawsock.capture;

import dev.rawsock.wire.DecodedPacket;

/**
 * A capture filter in tcpdump's language ({@link FilterParser} has the grammar): parsed once, then
 * compiled to classic BPF for the kernel ({@link #compile}) or evaluated in Java ({@link #matches}), with
 * the same meaning. Every primitive compiles to BPF, so nothing is left for Java to decide while
 * capturing; the Java evaluation serves pcap files and the tests.
 *
 * <pre>{@code
 * Filter f = Filter.parse("tcp port 8080 and tcp[tcpflags] & syn != 0");
 * packetSocket.attachFilter(f.compile(BpfCompiler.Link.ETHERNET, true).instructions());
 * }</pre>
 */
public final class Filter {
    private final String text;
    private final FilterNode root;

    private Filter(String text, FilterNode root) {
        this.text = text;
        this.root = root;
    }

    /** Parses {@code text} (blank: every packet); FilterSyntaxException with the column otherwise. */
    public static Filter parse(String text) {
        String t = text == null ? "" : text;
        return new Filter(t, FilterParser.parse(t));
    }

    /** The expression as given. */
    public String text() {
        return text;
    }

    /** The parsed tree; null when the filter takes every packet. */
    public FilterNode root() {
        return root;
    }

    /** True when the filter takes every packet (an empty expression). */
    public boolean all() {
        return root == null;
    }

    /** The BPF program for {@code link}; see {@link BpfCompiler#compile}. */
    public BpfProgram compile(BpfCompiler.Link link, boolean dropLoopbackOutgoing) {
        return BpfCompiler.compile(root, link, dropLoopbackOutgoing);
    }

    /** The Java evaluation; see {@link FilterEvaluator#matches(FilterNode, DecodedPacket, LinkType)}. */
    public boolean matches(DecodedPacket p, LinkType link) {
        return FilterEvaluator.matches(root, p, link);
    }

    /** The canonical, fully parenthesized form ("" for every packet). */
    @Override
    public String toString() {
        return root == null ? "" : root.toString();
    }
}
