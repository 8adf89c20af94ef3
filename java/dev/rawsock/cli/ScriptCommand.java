package dev.rawsock.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Many rawsock commands in one process: the JVM starts once, and each line after the first runs on warm,
 * already-compiled code. Each line goes through {@link Main#run} with this command's writers, exactly as if
 * it had been typed after {@code rawsock}.
 */
@Command(name = "script", mixinStandardHelpOptions = true,
        description = {
            "Run many rawsock commands, one per line, in one process.",
            "Start-up is paid once: a script that builds or sends thousands of",
            "different packets runs at the speed of the commands. A line is what",
            "follows 'rawsock' on the command line (a leading 'rawsock' is allowed).",
            "Blank lines and # comments are skipped; words split on blanks, and",
            "'...' and \"...\" quote as in a shell (\\ escapes outside '...').",
            "A failing line is named FILE:LINE on standard error with its exit code,",
            "and the script stops there unless --keep-going; a summary ends it.",
            "%nExit code: 0 when every line exited 0, else the exit code of the first",
            "line that failed (2 for a line that cannot be split).",
        },
        footer = {"%nExamples:",
            "  rawsock script probes.txt",
            "  seq 8080 8089 | sed 's/^/craft tcp --dst 127.0.0.1 --dport /' \\",
            "      | rawsock script -",
            "  printf 'craft udp --data-string \"a b\"\\ndecode x.pcap\\n' \\",
            "      | rawsock script - --keep-going"})
final class ScriptCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "The script, or - for standard input.")
    String file;

    @Option(names = "--keep-going", description = "Run every line even after one fails (the exit code is still the first failure's).")
    boolean keepGoing;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String name = file.equals("-") ? "(standard input)" : file;
        int lines = 0;
        int run = 0;
        int failed = 0;
        int firstFailure = ExitCodes.OK;
        String firstFailureAt = null;
        Map<String, CommandLine> models = new HashMap<>(); // each command's picocli model, built once
        try (BufferedReader reader = new BufferedReader(open(file), 1 << 16)) {
            String line;
            int number = 0;
            while ((line = reader.readLine()) != null) {
                number++;
                String at = name + ":" + number;
                int code;
                List<String> words;
                try {
                    words = words(line);
                } catch (IllegalArgumentException e) {
                    err.println("rawsock: " + at + ": " + e.getMessage());
                    words = null;
                }
                if (words != null && words.isEmpty()) {
                    continue;
                }
                lines++;
                if (words == null) {
                    code = ExitCodes.USAGE;
                } else if (words.get(0).equals("script")) {
                    err.println("rawsock: " + at + ": a script cannot run a script");
                    code = ExitCodes.USAGE;
                } else {
                    run++;
                    code = Main.run(out, err, models, words.toArray(new String[0]));
                }
                if (code != ExitCodes.OK) {
                    failed++;
                    err.println("rawsock: " + at + ": exit " + code + ": " + line.strip());
                    if (firstFailureAt == null) {
                        firstFailure = code;
                        firstFailureAt = at;
                    }
                    if (!keepGoing) {
                        break;
                    }
                }
            }
        }
        out.flush();
        err.println("script: " + lines + (lines == 1 ? " command, " : " commands, ") + run + " run, " + failed + " failed"
                + (firstFailureAt == null ? "" : " (first at " + firstFailureAt + ", exit " + firstFailure + ")"));
        err.flush();
        return firstFailure;
    }

    private static Reader open(String file) throws IOException {
        if (file.equals("-")) {
            return new InputStreamReader(System.in, StandardCharsets.UTF_8);
        }
        try {
            return Files.newBufferedReader(Path.of(file), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new UsageException("cannot read script '" + file + "': no such file");
        }
    }

    /**
     * The words of one line, split as a shell would for the simple cases: blanks separate words, '...' is
     * literal, "..." is literal but for \" \\ \$ \`, a backslash outside quotes takes the next character as
     * it is, and # at the start of a word comments out the rest. An optional leading "rawsock" is dropped.
     * No variables, globs or pipes.
     */
    static List<String> words(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        int i = 0;
        int n = line.length();
        while (i < n) {
            char c = line.charAt(i);
            if (c == ' ' || c == '\t' || c == '\r') {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
                i++;
            } else if (c == '#' && !inWord) {
                break;
            } else if (c == '\'') {
                int end = line.indexOf('\'', i + 1);
                if (end < 0) {
                    throw new IllegalArgumentException("unterminated ' quote starting at column " + (i + 1));
                }
                word.append(line, i + 1, end);
                inWord = true;
                i = end + 1;
            } else if (c == '"') {
                int j = i + 1;
                while (j < n && line.charAt(j) != '"') {
                    char d = line.charAt(j);
                    if (d == '\\' && j + 1 < n && "\"\\$`".indexOf(line.charAt(j + 1)) >= 0) {
                        j++;
                        d = line.charAt(j);
                    }
                    word.append(d);
                    j++;
                }
                if (j >= n) {
                    throw new IllegalArgumentException("unterminated \" quote starting at column " + (i + 1));
                }
                inWord = true;
                i = j + 1;
            } else if (c == '\\') {
                if (i + 1 >= n) {
                    throw new IllegalArgumentException("a \\ at the end of the line (lines cannot be continued)");
                }
                word.append(line.charAt(i + 1));
                inWord = true;
                i += 2;
            } else {
                word.append(c);
                inWord = true;
                i++;
            }
        }
        if (inWord) {
            words.add(word.toString());
        }
        if (!words.isEmpty() && words.get(0).equals("rawsock")) {
            words.remove(0);
        }
        return words;
    }
}
