package dev.rawsock.wire;

/** A checksum verdict: right, wrong, or not judged (a fragment, UDP checksum 0, data cut short). */
public enum Verdict {
    VALID, INVALID, UNKNOWN;

    static Verdict of(boolean valid) {
        return valid ? VALID : INVALID;
    }
}
