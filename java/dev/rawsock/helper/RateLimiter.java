package dev.rawsock.helper;

import java.util.HashMap;
import java.util.Map;

/**
 * Token buckets per client uid, one for packets and one for bytes: each fills at its rate per second and
 * holds at most one second's worth, so over any window of T seconds a uid sends at most
 * {@code rate * (T + 1)} (all its connections together). A send reserves its tokens and waits for them;
 * a reservation that would wait more than {@link #MAX_WAIT_NANOS} is refused instead and takes nothing.
 */
public final class RateLimiter {
    public static final long MAX_WAIT_NANOS = 2_000_000_000L;

    private final long packetsPerSecond;
    private final long bytesPerSecond;
    private final Map<Integer, Buckets> byUid = new HashMap<>();

    public RateLimiter(long packetsPerSecond, long bytesPerSecond) {
        this.packetsPerSecond = packetsPerSecond;
        this.bytesPerSecond = bytesPerSecond;
    }

    private static final class Buckets {
        double packets;
        double bytes;
        long updatedNanos;
        int users;
    }

    /** A connection of {@code uid} starts using the limiter. */
    public synchronized void join(int uid) {
        Buckets b = byUid.computeIfAbsent(uid, u -> {
            Buckets n = new Buckets();
            n.packets = packetsPerSecond;
            n.bytes = bytesPerSecond;
            n.updatedNanos = System.nanoTime();
            return n;
        });
        b.users++;
    }

    /** A connection of {@code uid} ended; the buckets go when the uid's last connection does. */
    public synchronized void leave(int uid) {
        Buckets b = byUid.get(uid);
        if (b != null && --b.users <= 0) {
            byUid.remove(uid);
        }
    }

    /**
     * Reserves one packet of {@code bytes}: returns how long to wait before sending it (0: now), or -1 when
     * the wait would be longer than {@link #MAX_WAIT_NANOS} (then nothing is reserved). A packet larger than
     * a second's bytes is refused by max-packet-bytes before it gets here, or waits for a full bucket.
     */
    public synchronized long reserve(int uid, int bytes) {
        Buckets b = byUid.get(uid);
        if (b == null) {
            throw new IllegalStateException("uid " + uid + " has not joined");
        }
        long now = System.nanoTime();
        double seconds = (now - b.updatedNanos) / 1e9;
        b.updatedNanos = now;
        b.packets = Math.min(packetsPerSecond, b.packets + seconds * packetsPerSecond);
        b.bytes = Math.min(bytesPerSecond, b.bytes + seconds * bytesPerSecond);
        double packetsAfter = b.packets - 1;
        double bytesAfter = b.bytes - bytes;
        double waitSeconds = Math.max(0, Math.max(-packetsAfter / packetsPerSecond, -bytesAfter / bytesPerSecond));
        long wait = (long) (waitSeconds * 1e9);
        if (wait > MAX_WAIT_NANOS) {
            return -1;
        }
        b.packets = packetsAfter;
        b.bytes = bytesAfter;
        return wait;
    }

    /** uids with buckets now (for the tests: buckets do not outlive their connections). */
    public synchronized int size() {
        return byUid.size();
    }
}
