package dev.rawsock.cli;

import dev.rawsock.testing.NativeTools;
import dev.rawsock.testing.Privileged;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * bin/cds-archive, which `make` and `make install` run to make the launcher's CDS archives: an unprivileged build
 * still gets a send archive (with a note), a failed dump leaves no file behind, a wrong training is named.
 */
class CdsArchiveTest {
    private static final Path ROOT = NativeTools.projectRoot();
    private static final String SCRIPT = ROOT.resolve("bin/cds-archive").toString();

    /** An installed-like copy (bin/rawsock, lib/rawsock/rawsock.jar) that any user can read and write. */
    private static Path installedCopy(Path dir) throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path lib = Files.createDirectories(dir.resolve("lib/rawsock"));
        Files.copy(ROOT.resolve("bin/rawsock"), bin.resolve("rawsock"), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(ROOT.resolve("target/rawsock.jar"), lib.resolve("rawsock.jar"), StandardCopyOption.REPLACE_EXISTING);
        for (Path p : List.of(dir, bin, lib.getParent(), lib)) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxrwxrwx"));
        }
        Files.setPosixFilePermissions(bin.resolve("rawsock"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(lib.resolve("rawsock.jar"), PosixFilePermissions.fromString("rw-r--r--"));
        return bin.resolve("rawsock");
    }

    @Test
    void anUnprivilegedBuildGetsASendArchiveOfWhatSendLoadedWithANote(@TempDir Path dir) throws Exception {
        Privileged.assumeRoot("dropping to another user with setpriv");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path launcher = installedCopy(dir.resolve("prefix"));
        Path archive = launcher.getParent().resolve("../lib/rawsock/rawsock-send.jsa");
        NativeTools.Result r = NativeTools.run(120, List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                "--inh-caps=-all", "--", "sh", SCRIPT, launcher.toString(), archive.toString(), "send"),
                Map.of("TMPDIR", dir.resolve("prefix").toString()));
        assertEquals(0, r.exitCode(), r.stderr());
        List<String> notes = r.stderr().lines().toList();
        assertEquals(1, notes.size(), "one note, for the training's flood:\n" + r.stderr());
        assertTrue(notes.get(0).startsWith("note: CDS training for rawsock-send.jsa: 'rawsock send tcp --dst 127.0.0.1"), notes.get(0));
        assertTrue(notes.get(0).contains("failed (exit 3: it needs CAP_NET_RAW); the archive holds the classes it loaded until then"), notes.get(0));
        assertTrue(Files.size(archive) > 1_000_000, "the archive holds what send loaded before it failed");

        // the launcher maps it for send; jnr-ffi was loaded before the raw socket was refused
        Path log = dir.resolve("prefix/class-load.txt");
        NativeTools.Result send = NativeTools.run(60, List.of(launcher.toString(), "send", "tcp", "--dst", "127.0.0.1",
                "--dport", "9", "-c", "1", "--no-replies"), Map.of("RAWSOCK_JAVA_OPTS", "-Xlog:class+load=info:file=" + log + "::filecount=0"));
        assertEquals(0, send.exitCode(), send.stderr());
        assertTrue(Files.readAllLines(log).stream().anyMatch(l -> l.endsWith(" jnr.ffi.LibraryLoader source: shared objects file")),
                "jnr-ffi comes from the unprivileged build's archive");
    }

    @Test
    void aFailedDumpLeavesNoArchiveAndSaysSo(@TempDir Path dir) throws Exception {
        // a "launcher" that fails every run: no class list, so -Xshare:dump has nothing to make
        Path launcher = dir.resolve("broken-rawsock");
        Files.writeString(launcher, "#!/bin/sh\nexit 1\n");
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path archive = dir.resolve("rawsock-craft.jsa");
        Files.writeString(archive, "an old archive");
        NativeTools.Result r = NativeTools.run(60, List.of("sh", SCRIPT, launcher.toString(), archive.toString(), "craft"));
        assertEquals(0, r.exitCode(), "a build without an archive still succeeds: " + r.stderr());
        assertTrue(r.stderr().contains("note: no CDS archive " + archive + " (rawsock runs without it, slower to start)"), r.stderr());
        assertFalse(Files.exists(archive), "the old archive is gone (it named another jar)");
        try (var left = Files.list(dir)) {
            assertEquals(List.of(launcher), left.toList(), "no partial archive is left");
        }
    }

    @Test
    void anUnknownTrainingIsNamed(@TempDir Path dir) throws Exception {
        NativeTools.Result r = NativeTools.run(60, List.of("sh", SCRIPT, ROOT.resolve("bin/rawsock").toString(),
                dir.resolve("x.jsa").toString(), "flood"));
        assertEquals(2, r.exitCode(), r.stderr());
        assertTrue(r.stderr().contains("unknown training 'flood' (craft, decode, send or all)"), r.stderr());
        try (var left = Files.list(dir)) {
            assertEquals(0, left.count());
        }
    }
}
