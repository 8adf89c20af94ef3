package dev.rawsock.socket;

import dev.rawsock.linux.Structs;

import java.nio.ByteBuffer;

/**
 * TCP_INFO decoded (tcp(7), struct tcp_info): the connection's state and the kernel's view of it.
 * Times are microseconds, sizes bytes, the window in segments (cwnd).
 */
public record TcpInfo(int state, int retransmits, long rtoMicros, long sndMssBytes, long rcvMssBytes,
                      long unackedSegments, long lostSegments, long pmtuBytes, long rttMicros,
                      long rttvarMicros, long sndCwndSegments, long sndSsthresh, long advmssBytes,
                      long totalRetransmits) {

    private static final String[] STATE_NAMES = {
        "0", "TCP_ESTABLISHED", "TCP_SYN_SENT", "TCP_SYN_RECV", "TCP_FIN_WAIT1", "TCP_FIN_WAIT2",
        "TCP_TIME_WAIT", "TCP_CLOSE", "TCP_CLOSE_WAIT", "TCP_LAST_ACK", "TCP_LISTEN", "TCP_CLOSING",
        "TCP_NEW_SYN_RECV",
    };

    /** "TCP_ESTABLISHED" and so on, as include/net/tcp_states.h names them. */
    public static String stateName(int state) {
        return state >= 0 && state < STATE_NAMES.length ? STATE_NAMES[state] : Integer.toString(state);
    }

    public String stateName() {
        return stateName(state);
    }

    static TcpInfo decode(ByteBuffer b, int offset) {
        return new TcpInfo(
                Byte.toUnsignedInt(b.get(offset + Structs.TcpInfo.TCPI_STATE)),
                Byte.toUnsignedInt(b.get(offset + Structs.TcpInfo.TCPI_RETRANSMITS)),
                u32(b, offset + Structs.TcpInfo.TCPI_RTO),
                u32(b, offset + Structs.TcpInfo.TCPI_SND_MSS),
                u32(b, offset + Structs.TcpInfo.TCPI_RCV_MSS),
                u32(b, offset + Structs.TcpInfo.TCPI_UNACKED),
                u32(b, offset + Structs.TcpInfo.TCPI_LOST),
                u32(b, offset + Structs.TcpInfo.TCPI_PMTU),
                u32(b, offset + Structs.TcpInfo.TCPI_RTT),
                u32(b, offset + Structs.TcpInfo.TCPI_RTTVAR),
                u32(b, offset + Structs.TcpInfo.TCPI_SND_CWND),
                u32(b, offset + Structs.TcpInfo.TCPI_SND_SSTHRESH),
                u32(b, offset + Structs.TcpInfo.TCPI_ADVMSS),
                u32(b, offset + Structs.TcpInfo.TCPI_TOTAL_RETRANS));
    }

    private static long u32(ByteBuffer b, int at) {
        return Integer.toUnsignedLong(b.getInt(at));
    }

    /** The C-struct rendering used by the call trace (and by native/tour.c, field for field). */
    String traceText() {
        return "{tcpi_state=" + stateName() + ", tcpi_retransmits=" + retransmits
                + ", tcpi_snd_mss=" + sndMssBytes + ", tcpi_rcv_mss=" + rcvMssBytes
                + ", tcpi_rtt=" + rttMicros + ", tcpi_rttvar=" + rttvarMicros
                + ", tcpi_snd_cwnd=" + sndCwndSegments + "}";
    }

    @Override
    public String toString() {
        return stateName() + " rtt=" + rttMicros + "us rttvar=" + rttvarMicros + "us cwnd=" + sndCwndSegments
                + " mss=" + sndMssBytes + " retransmits=" + retransmits + " total_retrans=" + totalRetransmits;
    }
}
