package dev.rawsock.print;

import dev.rawsock.wire.TcpOption;

/** A TCP option as tcpdump writes it: {@code mss 1460}, {@code sackOK}, {@code ts 1 0}, {@code wscale 7}, {@code sack 1 {10:20}}. */
final class TcpOptionText {
    private TcpOptionText() {}

    static String text(TcpOption option) {
        if (option instanceof TcpOption.Mss m) {
            return "mss " + m.mss();
        }
        if (option instanceof TcpOption.WindowScale w) {
            return "wscale " + w.shift();
        }
        if (option instanceof TcpOption.SackPermitted) {
            return "sackOK";
        }
        if (option instanceof TcpOption.Timestamps t) {
            return "ts " + t.tsval() + " " + t.tsecr();
        }
        if (option instanceof TcpOption.Sack s) {
            StringBuilder text = new StringBuilder("sack ").append(s.blocks().size());
            for (TcpOption.SackBlock block : s.blocks()) {
                text.append(" {").append(block.left()).append(':').append(block.right()).append('}');
            }
            return text.toString();
        }
        if (option instanceof TcpOption.Nop) {
            return "nop";
        }
        if (option instanceof TcpOption.Eol) {
            return "eol";
        }
        TcpOption.Unknown u = (TcpOption.Unknown) option;
        return "opt-" + u.kind() + (u.data().length() > 0 ? " 0x" + u.data().hex() : "");
    }
}
