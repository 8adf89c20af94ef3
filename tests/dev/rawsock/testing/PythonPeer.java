package dev.rawsock.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A Python program as an independent socket peer: started with a script, it talks to us over the real
 * kernel and reports what it saw on stdout, one line at a time. Closing kills it if it still runs.
 */
public final class PythonPeer implements AutoCloseable {
    private static final String END = "\u0000end";

    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final StringBuilder stderr = new StringBuilder();

    private PythonPeer(Process process) {
        this.process = process;
        Thread out = new Thread(() -> pump(new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)), true), "python-stdout");
        Thread err = new Thread(() -> pump(new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8)), false), "python-stderr");
        out.setDaemon(true);
        err.setDaemon(true);
        out.start();
        err.start();
    }

    /** Runs {@code python3 -c script args...}. */
    public static PythonPeer start(String script, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("python3", "-u", "-c", script));
        command.addAll(List.of(args));
        return new PythonPeer(new ProcessBuilder(command).start());
    }

    private void pump(BufferedReader reader, boolean toQueue) {
        try (reader) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (toQueue) {
                    lines.add(line);
                } else {
                    synchronized (stderr) {
                        stderr.append(line).append('\n');
                    }
                }
            }
        } catch (IOException ignored) {
            // the process went away; what it printed so far is kept
        } finally {
            if (toQueue) {
                lines.add(END);
            }
        }
    }

    /** The next line the peer printed, waiting at most 10 s; fails with the peer's stderr otherwise. */
    public String readLine() throws InterruptedException {
        String line = lines.poll(10, TimeUnit.SECONDS);
        if (line == null || line.equals(END)) {
            if (line != null) {
                lines.add(END);
            }
            throw new AssertionError("python peer printed no line" + (line == null ? " within 10 s" : " (it ended)")
                    + "; its stderr:\n" + stderr());
        }
        return line;
    }

    /** Waits for the peer to end and returns its exit code. */
    public int waitFor() throws InterruptedException {
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            throw new AssertionError("python peer still running after 10 s; stderr:\n" + stderr());
        }
        return process.exitValue();
    }

    public String stderr() {
        synchronized (stderr) {
            return stderr.toString();
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
    }
}
