package dev.rawsock.craft;

import java.util.SplittableRandom;

/**
 * The source of every randomised default (IP id, source port, initial sequence number, ICMP id): one
 * seeded generator, so a run given the same seed builds the same packets. The seed is kept so the
 * tool can print it.
 */
public final class Randomness {
    /** Linux's default ephemeral port range (ip_local_port_range), which random source ports follow. */
    public static final int EPHEMERAL_LOW = 32768;
    public static final int EPHEMERAL_HIGH = 60999;

    private final long seed;
    private final SplittableRandom random;

    private Randomness(long seed) {
        this.seed = seed;
        this.random = new SplittableRandom(seed);
    }

    public static Randomness seeded(long seed) {
        return new Randomness(seed);
    }

    /** A generator with a fresh seed (from the clock and the JDK's seed generator). */
    public static Randomness unseeded() {
        return new Randomness(new SplittableRandom().nextLong() ^ System.nanoTime());
    }

    public long seed() {
        return seed;
    }

    public int nextIdentification() {
        return random.nextInt(0x10000);
    }

    public int nextSourcePort() {
        return EPHEMERAL_LOW + random.nextInt(EPHEMERAL_HIGH - EPHEMERAL_LOW + 1);
    }

    /** A 32-bit initial sequence number. */
    public long nextSequence() {
        return random.nextLong() & 0xFFFFFFFFL;
    }

    public int nextIcmpIdentifier() {
        return random.nextInt(0x10000);
    }
}
