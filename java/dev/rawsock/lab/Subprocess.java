package dev.rawsock.lab;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One bounded run of a command the lab uses for set-up and observation ({@code ip}, {@code ss} from
 * iproute2): no shell, a time limit after which the process is killed, and its output (standard output
 * and error together) kept for the message when it fails.
 */
final class Subprocess {
    private Subprocess() {}

    /** What a finished command printed. */
    record Result(List<String> command, int exitCode, String output) {
        boolean ok() {
            return exitCode == 0;
        }

        String describe() {
            String text = output.strip();
            return String.join(" ", command) + " exited with " + exitCode + (text.isEmpty() ? "" : ": " + text);
        }
    }

    /** Runs {@code command} with {@code input} (may be null) on its standard input; kills it after {@code timeout}. */
    static Result run(Duration timeout, String input, List<String> command) throws LabException {
        Process p;
        try {
            p = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true).start();
        } catch (IOException e) {
            String tool = command.get(0);
            throw new LabException("cannot run '" + tool + "' (" + e.getMessage() + "): the lab needs " + tool
                    + " from iproute2 (apt-get install iproute2)", e);
        }
        try {
            try (OutputStream stdin = p.getOutputStream()) {
                if (input != null) {
                    stdin.write(input.getBytes(StandardCharsets.UTF_8));
                }
            }
            // The output is small (a few lines); a reader thread keeps a chatty command from blocking on a full pipe.
            StringBuilder output = new StringBuilder();
            Thread reader = new Thread(() -> {
                try (InputStream in = p.getInputStream()) {
                    byte[] all = in.readNBytes(1 << 20);
                    synchronized (output) {
                        output.append(new String(all, StandardCharsets.UTF_8));
                    }
                } catch (IOException ignored) {
                    // the process was killed: what was read so far is kept
                }
            }, "rawsock-lab-output");
            reader.setDaemon(true);
            reader.start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                p.waitFor(1, TimeUnit.SECONDS);
                reader.join(500);
                synchronized (output) {
                    throw new LabException(String.join(" ", command) + " did not finish within " + timeout.toMillis()
                            + " ms and was killed" + (output.length() > 0 ? "; output: " + output.toString().strip() : ""));
                }
            }
            reader.join(timeout.toMillis());
            synchronized (output) {
                return new Result(List.copyOf(command), p.exitValue(), output.toString());
            }
        } catch (IOException e) {
            p.destroyForcibly();
            throw new LabException(String.join(" ", command) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new LabException(String.join(" ", command) + ": interrupted", e);
        }
    }
}
