package dev.rawsock.course;

import dev.rawsock.cli.Main;
import dev.rawsock.lab.Lab;
import dev.rawsock.testing.NativeTools;
import dev.rawsock.testing.Privileged;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every command shown in the course (docs/course, English and Korean) is run, in process through
 * {@link Main#run}, and what it prints (stdout, then stderr, then "[exit N]" when not 0) is compared with the
 * lesson text after {@link OutputNormaliser}: the material cannot drift from the tool. Each command runs
 * once; its output is compared with both languages (the Korean lessons show the same commands and outputs).
 */
class CourseDriftTest {
    static Path courseDir() {
        return NativeTools.projectRoot().resolve("docs/course");
    }

    static Lesson read(Path dir, int n) {
        try {
            return Lesson.parse(n, Files.readString(dir.resolve(Lesson.fileName(n)), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @TestFactory
    List<DynamicTest> everyCommandPrintsWhatTheLessonShows() {
        List<DynamicTest> tests = new ArrayList<>();
        // -Dlesson=N runs one lesson only (while editing it); the suite runs them all.
        String only = System.getProperty("lesson");
        for (int n = 1; n <= Lesson.NAMES.size(); n++) {
            if (only != null && !only.equals(String.valueOf(n))) {
                continue;
            }
            Lesson english = read(courseDir(), n);
            Lesson korean = read(courseDir().resolve("ko"), n);
            String file = Lesson.fileName(n);
            for (int i = 0; i < english.steps().size(); i++) {
                Lesson.Step en = english.steps().get(i);
                Lesson.Step ko = i < korean.steps().size() ? korean.steps().get(i) : null;
                int number = i + 1;
                String where = file + ":" + en.line();
                tests.add(DynamicTest.dynamicTest(where + " $ " + en.commandLine(), () -> {
                    Privileged.assumeRoot("the course's lab commands");
                    String actual = run(en.args());
                    assertEquals(OutputNormaliser.normalise(expected(en)), OutputNormaliser.normalise(actual),
                            where + ": '$ " + en.commandLine() + "' prints something else than the lesson shows (normalised both)."
                                    + " Its real output:\n" + actual);
                    assertTrue(ko != null, "ko/" + file + " lacks step " + number);
                    assertEquals(OutputNormaliser.normalise(expected(ko)), OutputNormaliser.normalise(actual),
                            "ko/" + file + ":" + ko.line() + ": '$ " + ko.commandLine() + "' differs from a real run. Its real output:\n" + actual);
                }));
            }
        }
        return tests;
    }

    @AfterAll
    static void noLabLeft() {
        String prefix = Lab.PREFIX + ProcessHandle.current().pid() + "-";
        assertTrue(Lab.existingNamespaces().stream().noneMatch(ns -> ns.startsWith(prefix)), "a lab was left: " + Lab.existingNamespaces());
    }

    /** What the lesson shows for a step, in the form {@link #run} produces. */
    static String expected(Lesson.Step step) {
        return step.expectedOutput() + (step.expectedExit() != 0 ? "[exit " + step.expectedExit() + "]\n" : "");
    }

    /** stdout, then stderr, then "[exit N]" when N is not 0: the lesson's convention. */
    static String run(List<String> args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out), new PrintWriter(err), args.toArray(new String[0]));
        return out + err.toString() + (code != 0 ? "[exit " + code + "]\n" : "");
    }
}
