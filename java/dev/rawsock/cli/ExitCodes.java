package dev.rawsock.cli;

/** The exit codes, one table for every command (printed in --help). */
public final class ExitCodes {
    private ExitCodes() {}

    public static final int OK = 0;
    public static final int FAILURE = 1;
    public static final int USAGE = 2;
    public static final int NOT_PERMITTED = 3;
    public static final int NO_REPLY = 4;
}
