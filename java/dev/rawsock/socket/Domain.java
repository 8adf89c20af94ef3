package dev.rawsock.socket;

import dev.rawsock.linux.Constants;

/** The first argument of socket(2): the address family, named as in C. */
public enum Domain {
    AF_INET(Constants.AF_INET),
    AF_INET6(Constants.AF_INET6),
    AF_UNIX(Constants.AF_UNIX),
    AF_PACKET(Constants.AF_PACKET);

    public final int value;

    Domain(int value) {
        this.value = value;
    }

    /** The family with that number, or null. */
    public static Domain of(int value) {
        for (Domain d : values()) {
            if (d.value == value) {
                return d;
            }
        }
        return null;
    }
}
