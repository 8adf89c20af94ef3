package dev.rawsock.cli;

import dev.rawsock.testing.NativeTools;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** bin/rawsock runs the built jar quietly on the default JDK and on a JDK 22+ (native access allowed). */
class LauncherTest {
    private static final Path LAUNCHER = NativeTools.projectRoot().resolve("bin/rawsock");

    @Test
    void runsOnTheDefaultJdk() throws Exception {
        NativeTools.Result r = NativeTools.run(60, List.of(LAUNCHER.toString(), "--version"));
        assertEquals(0, r.exitCode(), r.stderr());
        assertTrue(r.stdout().startsWith("rawsock 0."), r.stdout());
        assertEquals("", r.stderr());
    }

    @Test
    void runsQuietlyOnJdk25() throws Exception {
        Path temurin = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64");
        Assumptions.assumeTrue(Files.isExecutable(temurin.resolve("bin/java")),
                "no Temurin 25 JDK at " + temurin + " on this machine");
        // tour loads the native library (jffi): on JDK 22+ that warns unless native access is enabled.
        NativeTools.Result r = NativeTools.run(60, List.of(LAUNCHER.toString(), "tour"), Map.of("JAVA_HOME", temurin.toString()));
        assertEquals(0, r.exitCode(), r.stderr());
        assertFalse(r.stderr().contains("WARNING"), r.stderr());
        assertEquals("", r.stderr());
        assertTrue(r.stdout().contains("close("), r.stdout());
    }
}
