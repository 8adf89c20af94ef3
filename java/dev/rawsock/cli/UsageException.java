package dev.rawsock.cli;

/** A problem with what the user asked for that only shows once the command runs; exits 2. */
final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
        super(message);
    }
}
