package dev.rawsock.cli;

import dev.rawsock.course.Lesson;
import dev.rawsock.testing.NativeTools;
import dev.rawsock.testing.Privileged;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static dev.rawsock.cli.CliRun.rawsock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code rawsock lesson}: the list, a bad N, a whole lesson without pauses, and a lesson run without root. */
class LessonCommandTest {
    @Test
    void withoutNItListsEveryLessonWithItsTitleInEitherLanguage() {
        CliRun en = rawsock("lesson");
        assertEquals(0, en.code(), en.err());
        CliRun ko = rawsock("lesson", "--lang", "ko");
        assertEquals(0, ko.code(), ko.err());
        for (int n = 1; n <= Lesson.NAMES.size(); n++) {
            Lesson l = Lesson.load(n, "en");
            assertTrue(en.out().contains("  " + n + "  " + l.title() + " (" + l.steps().size() + " commands)\n"), en.out());
            assertTrue(ko.out().contains("  " + n + "  " + Lesson.load(n, "ko").title() + " ("), ko.out());
        }
    }

    @Test
    void aBadNumberOrLanguageIsAUsageErrorNamingTheValidRange() {
        int last = Lesson.NAMES.size();
        for (String bad : List.of("0", String.valueOf(last + 1))) {
            CliRun r = rawsock("lesson", bad);
            assertEquals(2, r.code(), r.out() + r.err());
            assertEquals("rawsock: lesson " + bad + " does not exist: N must be 1-" + last + " (rawsock lesson lists them)\n", r.err());
        }
        assertEquals(2, rawsock("lesson", "x").code());
        CliRun lang = rawsock("lesson", "1", "--lang", "fr");
        assertEquals(2, lang.code());
        assertTrue(lang.err().contains("--lang must be en or ko but was 'fr'"), lang.err());
    }

    @Test
    void aLessonRunsEveryCommandInOrderUnderItsTitleAndExitsAsTheLessonShows() {
        Privileged.assumeRoot("rawsock lesson 1 (its lab commands)");
        Lesson lesson = Lesson.load(1, "ko");
        CliRun r = rawsock("lesson", "1", "--no-pause", "--lang", "ko");
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().startsWith("# " + lesson.title() + "\n"), r.out());
        int at = 0;
        for (int i = 0; i < lesson.steps().size(); i++) {
            Lesson.Step step = lesson.steps().get(i);
            String header = "== step " + (i + 1) + " of " + lesson.steps().size() + ": " + step.title() + "\n$ " + step.commandLine() + "\n";
            int next = r.out().indexOf(header, at);
            assertTrue(next > at, "step " + (i + 1) + " missing or out of order:\n" + r.out());
            at = next;
        }
        assertTrue(r.out().contains("[exit 4]\n"), "the bad-checksum step exits 4, as the lesson shows:\n" + r.out());
        assertTrue(r.err().contains("Linux dropped it without a word"), r.err());
        assertTrue(!r.out().contains("press Enter"), "no pause with --no-pause");
    }

    @Test
    void withoutRootTheLabCommandsExit3WithTheReasonAndTheLessonGoesOn(@TempDir Path dir) throws Exception {
        Privileged.assumeRoot("dropping to another user with setpriv");
        Path built = NativeTools.projectRoot().resolve("target/rawsock.jar");
        assertTrue(Files.exists(built), "target/rawsock.jar is missing: run 'make build'");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path jar = dir.resolve("rawsock.jar");
        Files.copy(built, jar, StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(jar, PosixFilePermissions.fromString("rw-r--r--"));
        Path tmp = Files.createDirectory(dir.resolve("tmp")); // jffi unpacks its stub here: writable for uid 65534
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxrwxrwx"));
        // The jar alone, outside the source tree: the lesson comes from the jar's resources. Stdin is not a terminal: no pauses.
        NativeTools.Result r = NativeTools.run(60, List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                "--inh-caps=-all", "--", Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.io.tmpdir=" + tmp, "-jar", jar.toString(), "lesson", "1"));
        assertEquals(3, r.exitCode(), r.stdout() + r.stderr());
        assertTrue(r.stdout().contains("read(") && r.stdout().contains("\"hello, server\\n\""), "the tour ran:\n" + r.stdout());
        assertEquals(2, r.stdout().split("== exit 3, where the lesson shows", -1).length - 1, "both lab steps refused:\n" + r.stdout());
        assertTrue(r.stdout().contains("== exit 3, where the lesson shows 4 (this command needs root: run the lesson as root to see it)"), r.stdout());
        assertTrue(r.stdout().contains("== step 3 of 3"), "the lesson went on after the refused step:\n" + r.stdout());
        assertTrue(r.stderr().contains("lacks CAP_SYS_ADMIN"), r.stderr());
        assertTrue(!r.stdout().contains("press Enter"), "stdin is not a terminal: no pause");
    }
}
