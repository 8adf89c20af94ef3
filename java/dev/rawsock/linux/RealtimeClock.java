package dev.rawsock.linux;

/**
 * CLOCK_REALTIME in nanoseconds since the epoch, through clock_gettime(2): the clock the kernel stamps
 * received packets with (SO_TIMESTAMPNS), so a send time read here and a kernel receive time can be
 * subtracted. Each instance owns its timespec; use one per thread. Reading allocates nothing.
 */
public final class RealtimeClock {
    private final NativeBuffer timespec = NativeBuffer.allocate(Structs.Timespec.SIZE);
    private final LibC libc = Linux.libc();

    public long nanos() {
        libc.clock_gettime(Constants.CLOCK_REALTIME, timespec.address());
        return timespec.buffer().getLong(Structs.Timespec.TV_SEC) * 1_000_000_000L
                + timespec.buffer().getLong(Structs.Timespec.TV_NSEC);
    }
}
