package dev.rawsock.cli;

import dev.rawsock.course.Lesson;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code rawsock lesson N}: runs the commands of a course lesson (docs/course, carried in the jar) in order,
 * in this process, each through {@link Main#run} with this command's own writers, pausing between them.
 */
@Command(name = "lesson", mixinStandardHelpOptions = true,
        description = {
            "Run a lesson of the course (docs/course), command by command.",
            "",
            "Run a lesson of the course (docs/course) for a class: each command the",
            "lesson shows, in order, under a header with the step's title, with a",
            "pause (press Enter) between them. Without N, list the lessons. The output",
            "matches the lesson text up to ports, times and the kernel's random numbers.",
            "",
            "Lab commands need root (network namespaces); without it they exit 3 and",
            "the lesson goes on (--stop-on-failure stops at the first command that",
            "exits otherwise than the lesson shows).",
        },
        footer = {"%nExamples:",
            "  rawsock lesson                 the lessons and their titles",
            "  rawsock lesson 1               lesson 1, pausing between commands",
            "  rawsock lesson 4 --no-pause    all at once (also when stdin is not a terminal)",
            "  rawsock lesson 2 --lang ko     with the Korean titles",
            "%nExit: 0 when every command exited as the lesson shows, 2 for a bad N, 3 when the only",
            "differences were commands refused for want of root, 1 otherwise."})
final class LessonCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "N", description = "The lesson's number (without it: the list).")
    Integer number;

    @Option(names = "--no-pause", description = "Do not wait for Enter between commands (for scripts and tests).")
    boolean noPause;

    @Option(names = "--lang", paramLabel = "en|ko", defaultValue = "en",
            description = "The language of the titles: en or ko (default: ${DEFAULT-VALUE}).")
    String language;

    @Option(names = "--stop-on-failure", description = "Stop at the first command that exits otherwise than the lesson shows.")
    boolean stopOnFailure;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!language.equals("en") && !language.equals("ko")) {
            throw new UsageException("--lang must be en or ko but was '" + language + "'");
        }
        int count = Lesson.NAMES.size();
        if (number == null) {
            out.println("rawsock lessons (docs/course" + (language.equals("en") ? "" : "/" + language) + "):");
            for (int n = 1; n <= count; n++) {
                Lesson lesson = load(n);
                out.printf(Locale.ROOT, "  %d  %s (%d commands)%n", n, lesson.title(), lesson.steps().size());
            }
            out.println("run one with: rawsock lesson N [--no-pause] [--lang ko]");
            return ExitCodes.OK;
        }
        if (number < 1 || number > count) {
            throw new UsageException("lesson " + number + " does not exist: N must be 1-" + count + " (rawsock lesson lists them)");
        }
        Lesson lesson = load(number);
        boolean pause = !noPause && interactive();
        BufferedReader stdin = pause ? new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)) : null;
        out.println("# " + lesson.title());
        int unexpected = 0;
        int refused = 0;
        int total = lesson.steps().size();
        for (int i = 0; i < total; i++) {
            Lesson.Step step = lesson.steps().get(i);
            out.printf(Locale.ROOT, "%n== step %d of %d: %s%n$ %s%n", i + 1, total, step.title(), step.commandLine());
            out.flush();
            int code = Main.run(out, err, step.args().toArray(new String[0]));
            if (code != step.expectedExit()) {
                out.printf(Locale.ROOT, "== exit %d, where the lesson shows %d%s%n", code, step.expectedExit(),
                        code == ExitCodes.NOT_PERMITTED ? " (this command needs root: run the lesson as root to see it)" : "");
                if (code == ExitCodes.NOT_PERMITTED) {
                    refused++;
                } else {
                    unexpected++;
                }
                if (stopOnFailure) {
                    out.println("== stopped (--stop-on-failure)");
                    break;
                }
            } else if (code != 0) {
                out.printf(Locale.ROOT, "[exit %d]%n", code);
            }
            out.flush();
            if (pause && i + 1 < total) {
                out.print("-- press Enter for the next command --");
                out.flush();
                if (stdin.readLine() == null) {
                    pause = false;
                }
            }
        }
        out.flush();
        return unexpected > 0 ? ExitCodes.FAILURE : refused > 0 ? ExitCodes.NOT_PERMITTED : ExitCodes.OK;
    }

    /** Stdin and stdout are a terminal. JDK 22+ returns a Console even when they are not, and says so in isTerminal(). */
    private static boolean interactive() {
        java.io.Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(console);
        } catch (ReflectiveOperationException e) {
            return true; // before JDK 22 a Console exists only for a terminal
        }
    }

    private Lesson load(int n) {
        Lesson lesson = Lesson.load(n, language);
        if (lesson == null) {
            throw new IllegalStateException("lesson " + n + " (" + Lesson.resource(n, language) + ") is missing from the jar: rebuild with 'make'");
        }
        return lesson;
    }
}
