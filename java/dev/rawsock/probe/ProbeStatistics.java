package dev.rawsock.probe;

/**
 * What a run counted: probes sent, replies matched, bytes both ways, round-trip times (min/avg/max and
 * mdev, the standard deviation ping(8) reports), duplicates, the kernel's capture drops, and the rate
 * achieved. Counts add up: every probe is either answered or lost.
 */
public final class ProbeStatistics {
    long sent;
    long received;
    long bytesSent;
    long bytesReceived;
    long duplicates;
    long captureDrops;
    long rttMinNanos = Long.MAX_VALUE;
    long rttMaxNanos;
    double rttSumNanos;
    double rttSumSquares;
    long startNanos;
    long lastSendNanos;
    long endNanos;

    void reply(long rttNanos, int bytes) {
        received++;
        bytesReceived += bytes;
        rttMinNanos = Math.min(rttMinNanos, rttNanos);
        rttMaxNanos = Math.max(rttMaxNanos, rttNanos);
        rttSumNanos += rttNanos;
        rttSumSquares += (double) rttNanos * rttNanos;
    }

    public long sent() {
        return sent;
    }

    public long received() {
        return received;
    }

    /** Probes without a reply. */
    public long lost() {
        return sent - received;
    }

    public double lostPercent() {
        return sent == 0 ? 0 : 100.0 * lost() / sent;
    }

    public long bytesSent() {
        return bytesSent;
    }

    public long bytesReceived() {
        return bytesReceived;
    }

    public long duplicates() {
        return duplicates;
    }

    /** Frames the kernel dropped from the reply capture (PACKET_STATISTICS): replies that may have been missed. */
    public long captureDrops() {
        return captureDrops;
    }

    public double rttMinMillis() {
        return received == 0 ? 0 : rttMinNanos / 1e6;
    }

    public double rttMaxMillis() {
        return rttMaxNanos / 1e6;
    }

    public double rttAvgMillis() {
        return received == 0 ? 0 : rttSumNanos / received / 1e6;
    }

    /** The standard deviation of the round-trip times (ping's mdev). */
    public double rttMdevMillis() {
        if (received == 0) {
            return 0;
        }
        double mean = rttSumNanos / received;
        return Math.sqrt(Math.max(0, rttSumSquares / received - mean * mean)) / 1e6;
    }

    /** Seconds from just before the first send to just after the last. */
    public double sendingSeconds() {
        return Math.max(0, lastSendNanos - startNanos) / 1e9;
    }

    /** Probes per second over the sending time. */
    public double packetsPerSecond() {
        double seconds = sendingSeconds();
        return seconds > 0 ? sent / seconds : 0;
    }

    /** Seconds from the first send to the end of the run (the reply timeout included). */
    public double elapsedSeconds() {
        return Math.max(0, endNanos - startNanos) / 1e9;
    }
}
