package dev.rawsock.course;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The course's shape: both languages show the same commands and outputs; every lesson has exercises and answers. */
class CourseStructureTest {
    private static final Path COURSE = CourseDriftTest.courseDir();
    private static final Pattern EXERCISE = Pattern.compile("^\\d+\\. ", Pattern.MULTILINE);
    private static final Pattern ANSWER = Pattern.compile("^## \\d+", Pattern.MULTILINE);

    @Test
    void theKoreanLessonsShowTheSameCommandsInTheSameOrderWithTheSameOutput() {
        for (int n = 1; n <= Lesson.NAMES.size(); n++) {
            Lesson en = CourseDriftTest.read(COURSE, n);
            Lesson ko = CourseDriftTest.read(COURSE.resolve("ko"), n);
            assertTrue(en.steps().size() >= 2, Lesson.fileName(n) + " shows fewer than two commands");
            assertEquals(en.steps().stream().map(Lesson.Step::commandLine).toList(), ko.steps().stream().map(Lesson.Step::commandLine).toList(),
                    "ko/" + Lesson.fileName(n) + " must show the same commands, in the same order");
            for (int i = 0; i < en.steps().size(); i++) {
                assertEquals(CourseDriftTest.expected(en.steps().get(i)), CourseDriftTest.expected(ko.steps().get(i)),
                        "ko/" + Lesson.fileName(n) + ":" + ko.steps().get(i).line() + " must show the English lesson's output unchanged");
            }
            assertTrue(ko.title().codePoints().anyMatch(c -> Character.UnicodeScript.of(c) == Character.UnicodeScript.HANGUL),
                    "ko/" + Lesson.fileName(n) + " has no Korean title: " + ko.title());
        }
    }

    @Test
    void everyLessonHasExercisesAndAnAnswersFileWithOneAnswerEach() throws IOException {
        for (String language : List.of("", "ko/")) {
            for (int n = 1; n <= Lesson.NAMES.size(); n++) {
                String lesson = Files.readString(COURSE.resolve(language + Lesson.fileName(n)), StandardCharsets.UTF_8);
                String heading = language.isEmpty() ? "## Exercises" : "## 연습 문제";
                int at = lesson.indexOf("\n" + heading + "\n");
                assertTrue(at >= 0, language + Lesson.fileName(n) + " has no '" + heading + "' section");
                int end = lesson.indexOf("\n## ", at + 1);
                String exercises = lesson.substring(at, end < 0 ? lesson.length() : end);
                int count = count(EXERCISE, exercises);
                assertTrue(count >= 2 && count <= 3, language + Lesson.fileName(n) + ": two or three exercises, not " + count);
                Path answers = COURSE.resolve(language + "answers/" + Lesson.fileName(n));
                assertTrue(Files.exists(answers), "missing " + answers);
                assertEquals(count, count(ANSWER, Files.readString(answers, StandardCharsets.UTF_8)),
                        answers + ": one '## N' answer per exercise");
                assertTrue(lesson.contains("answers/" + Lesson.fileName(n)), language + Lesson.fileName(n) + " does not link its answers file");
            }
        }
    }

    @Test
    void theIndexListsEveryLessonAndTheLessonsTravelOnTheClassPath() throws IOException {
        for (String language : List.of("en", "ko")) {
            String index = Files.readString(COURSE.resolve(language.equals("en") ? "README.md" : "ko/README.md"), StandardCharsets.UTF_8);
            for (int n = 1; n <= Lesson.NAMES.size(); n++) {
                assertTrue(index.contains("(" + Lesson.fileName(n) + ")"), language + " index does not link " + Lesson.fileName(n));
                Lesson loaded = Lesson.load(n, language);
                assertNotNull(loaded, Lesson.resource(n, language) + " is not on the class path (pom.xml resources)");
                assertEquals(CourseDriftTest.read(language.equals("en") ? COURSE : COURSE.resolve("ko"), n).steps(), loaded.steps());
            }
        }
    }

    @Test
    void theParserReadsStepsExitCodesAndQuotingAndNamesTheLineOfAMalformedBlock() {
        Lesson l = Lesson.parse(9, "# Title\n\n## A step\n\n```console\n$ rawsock craft --data-string 'a b\\n' tcp\nline 1\n"
                + "$ rawsock handshake --badsum syn\nout\n[exit 4]\n```\n\n```sh\n# not a heading\n```\n");
        assertEquals("Title", l.title());
        assertEquals(2, l.steps().size());
        assertEquals(List.of("craft", "--data-string", "a b\\n", "tcp"), l.steps().get(0).args());
        assertEquals("line 1\n", l.steps().get(0).expectedOutput());
        assertEquals("A step", l.steps().get(1).title());
        assertEquals(4, l.steps().get(1).expectedExit());
        assertEquals("out\n", l.steps().get(1).expectedOutput());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Lesson.parse(1, "# T\n\n```console\n$ ls\n```\n"));
        assertTrue(e.getMessage().startsWith("line 4:") && e.getMessage().contains("only rawsock"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Lesson.parse(1, "# T\n```console\n$ rawsock tour\n"));
        assertTrue(e.getMessage().contains("never closed"), e.getMessage());
    }

    private static int count(Pattern p, String text) {
        Matcher m = p.matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }
}
