package dev.rawsock.cli;

import dev.rawsock.testing.NativeTools;
import dev.rawsock.testing.Privileged;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * bin/rawsock runs the built jar quietly on the default JDK and on a JDK 22+ (native access allowed), maps its
 * classes from the CDS archive the build made, and ignores an archive that does not fit without a word.
 */
class LauncherTest {
    private static final Path LAUNCHER = NativeTools.projectRoot().resolve("bin/rawsock");

    @Test
    void runsOnTheDefaultJdk() throws Exception {
        NativeTools.Result r = NativeTools.run(60, List.of(LAUNCHER.toString(), "--version"));
        assertEquals(0, r.exitCode(), r.stderr());
        assertTrue(r.stdout().startsWith("rawsock 0."), r.stdout());
        assertEquals("", r.stderr());
    }

    /**
     * Runs bin/rawsock with {@code args}, logging which archive the JVM opened and where each class came from.
     * Returns the log's lines: the launcher's own {@code -Xlog:cds=off} silences standard output only.
     */
    private static List<String> classLoadLog(List<String> args) throws Exception {
        Path log = Files.createTempFile("rawsock-class-load", ".txt");
        try {
            List<String> command = new java.util.ArrayList<>(List.of(LAUNCHER.toString()));
            command.addAll(args);
            NativeTools.Result r = NativeTools.run(60, command,
                    Map.of("RAWSOCK_JAVA_OPTS", "-Xlog:cds=info,class+load=info:file=" + log + "::filecount=0"));
            assertEquals(0, r.exitCode(), r.stderr());
            return Files.readAllLines(log);
        } finally {
            Files.deleteIfExists(log);
        }
    }

    private static void assertOpened(String archive, List<String> log) {
        Path path = NativeTools.projectRoot().resolve("target").resolve(archive);
        assertTrue(Files.isRegularFile(path), "make build writes " + path);
        assertTrue(log.stream().anyMatch(l -> l.endsWith("Opened archive " + LAUNCHER.getParent().resolve("../target/" + archive) + ".")),
                "the launcher gives the JVM " + archive + ":\n" + String.join("\n", log.stream().filter(l -> l.contains("archive")).toList()));
    }

    /** The class came from the CDS archive (a static archive: no "(top)" layer over the JDK's). */
    private static void assertMapped(String className, List<String> log) {
        assertTrue(log.stream().anyMatch(l -> l.endsWith(" " + className + " source: shared objects file")),
                className + " comes from the archive:\n" + String.join("\n", log.stream().filter(l -> l.contains(className)).toList()));
    }

    @Test
    void craftMapsItsClassesFromItsOwnArchive() throws Exception {
        List<String> log = classLoadLog(List.of("craft", "tcp", "--dst", "127.0.0.1", "--seed", "1"));
        assertOpened("rawsock-craft.jsa", log);
        assertMapped("dev.rawsock.cli.CraftCommand", log);
        assertMapped("picocli.CommandLine", log); // recompiled for Java 17 by the build
        assertMapped("java.lang.Object", log); // the JDK's classes too: the archive is used instead of the JDK's own
        assertFalse(log.stream().anyMatch(l -> l.contains("jnr.ffi")), "craft loads no jnr-ffi");
        // craft's model is declared without annotations (cli/Args): reading them spins a proxy class per
        // annotation type at run time, which no CDS archive holds (about half of craft's run on JDK 17)
        assertEquals(List.of(), log.stream().filter(l -> l.contains("__dynamic_proxy__")).toList(), "craft reads no annotations");
        assertFalse(log.stream().anyMatch(l -> l.contains("java.time.ZonedDateTime") || l.contains("java.sql.Timestamp")),
                "picocli registers no java.time/java.sql converters (picocli.converters.excludes)");
    }

    @Test
    void decodeMapsTheDecoderAndPrinterFromItsOwnArchive(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path pcap = dir.resolve("one.pcap");
        NativeTools.Result crafted = NativeTools.run(60, List.of(LAUNCHER.toString(), "craft", "udp", "--dst", "127.0.0.1",
                "--out", pcap.toString()));
        assertEquals(0, crafted.exitCode(), crafted.stderr());
        List<String> log = classLoadLog(List.of("decode", pcap.toString()));
        assertOpened("rawsock-decode.jsa", log);
        assertMapped("dev.rawsock.cli.DecodeCommand", log);
        assertMapped("dev.rawsock.capture.PcapReader", log);
        assertMapped("dev.rawsock.print.LinePrinter", log);
    }

    @Test
    void sendMapsJnrFfiAndTheSendEngineFromItsOwnArchive() throws Exception {
        Privileged.assumeRoot("the send archive's training and this send need CAP_NET_RAW");
        List<String> log = classLoadLog(List.of("send", "tcp", "--dst", "127.0.0.1", "--dport", "9", "--flood", "-c", "64", "--no-replies"));
        assertOpened("rawsock-send.jsa", log);
        assertMapped("dev.rawsock.cli.SendCommand", log);
        assertMapped("dev.rawsock.probe.ProbeRun", log);
        assertMapped("jnr.ffi.LibraryLoader", log);
        // jnr-ffi's ASM is class file 49: a static archive holds it, where a dynamic one (JDK 17) would not
        assertMapped("org.objectweb.asm.ClassWriter", log);
        // send's model is declared without annotations, as craft's is (picocli's annotation types are not even
        // loaded; the proxies jnr-ffi spins for its own @IgnoreError remain); nor does send load the JDK's locale
        // data (print.Decimal instead of Formatter's %f) or its datagram channel (the route's source via the binding)
        for (String avoided : List.of("picocli.CommandLine$Option ", "picocli.CommandLine$Command ",
                "sun.util.locale.provider.LocaleProviderAdapter ", "sun.nio.ch.DatagramChannelImpl ")) {
            assertEquals(List.of(), log.stream().filter(l -> l.contains(avoided)).toList(), "send loads no " + avoided);
        }
    }

    @Test
    void everyOtherCommandMapsTheGeneralArchive() throws Exception {
        List<String> log = classLoadLog(List.of("sockopt", "--get", "SO_RCVBUF"));
        assertOpened("rawsock.jsa", log);
        assertMapped("dev.rawsock.cli.SockoptCommand", log);
    }

    /** An installed-like copy (bin/rawsock, lib/rawsock/rawsock.jar) with {@code archive} as its rawsock.jsa. */
    private static NativeTools.Result versionWithArchive(Path dir, byte[] archive) throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path lib = Files.createDirectories(dir.resolve("lib/rawsock"));
        Files.copy(LAUNCHER, bin.resolve("rawsock"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.copy(NativeTools.projectRoot().resolve("target/rawsock.jar"), lib.resolve("rawsock.jar"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.write(lib.resolve("rawsock.jsa"), archive);
        // newer than the jar, so the launcher passes it to the JVM, which must refuse it without a word
        Files.setLastModifiedTime(lib.resolve("rawsock.jsa"), java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 60_000));
        return NativeTools.run(60, List.of(bin.resolve("rawsock").toString(), "--version"));
    }

    @Test
    void anArchiveMadeForAnotherJarOrNoArchiveAtAllIsIgnoredQuietly(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        // target/rawsock.jsa names target/rawsock.jar: for the copy, the JVM finds the path mismatched.
        byte[] foreign = Files.readAllBytes(NativeTools.projectRoot().resolve("target/rawsock.jsa"));
        NativeTools.Result r = versionWithArchive(dir.resolve("foreign"), foreign);
        assertEquals(0, r.exitCode(), r.stderr());
        assertTrue(r.stdout().startsWith("rawsock 0."), r.stdout());
        assertEquals("", r.stderr());
        NativeTools.Result garbage = versionWithArchive(dir.resolve("garbage"), "not an archive".getBytes());
        assertEquals(0, garbage.exitCode(), garbage.stderr());
        assertTrue(garbage.stdout().startsWith("rawsock 0."), garbage.stdout());
        assertEquals("", garbage.stderr());
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

    /**
     * The launcher caps C2's nodes for the line printer's methods by name (its compiler arenas were the largest part
     * of a decode's peak RSS): the class it names must exist, or a rename would drop the cap without a word.
     */
    @Test
    void theCompileCommandNamesTheLinePrinter() throws Exception {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("MaxNodeLimit,([\\w.]+)::\\*,(\\d+)")
                .matcher(Files.readString(LAUNCHER));
        assertTrue(m.find(), "bin/rawsock caps C2's nodes for the line printer");
        assertEquals(dev.rawsock.print.LinePrinter.class.getName(), m.group(1));
        assertTrue(Files.readString(LAUNCHER).contains("-XX:CompileCommand=quiet"), "and says nothing about it on stdout");
    }

    /** The JVM's own report of the flags bin/rawsock gave it for {@code command} (-XX:+PrintCommandLineFlags). */
    private static List<String> jvmFlags(String command) throws Exception {
        NativeTools.Result r = NativeTools.run(60, List.of(LAUNCHER.toString(), command, "--help"),
                Map.of("RAWSOCK_JAVA_OPTS", "-XX:+PrintCommandLineFlags"));
        assertEquals(0, r.exitCode(), r.stderr());
        String first = r.stdout().lines().findFirst().orElse("");
        assertTrue(first.startsWith("-XX:"), r.stdout());
        return List.of(first.trim().split("\\s+"));
    }

    /**
     * The compilers per command (README, Benchmarks): send, decode and sniff keep both tiers (C1 only costs the
     * flood 4-10% of its rate and the decode 35%); craft (start-up) runs C1 only.
     */
    @Test
    void theLongRunningCommandsGetTheirCompilerFlags() throws Exception {
        List<String> send = jvmFlags("send");
        List<String> decode = jvmFlags("decode");
        List<String> sniff = jvmFlags("sniff");
        for (List<String> both : List.of(decode, sniff)) {
            assertFalse(both.contains("-XX:-TieredCompilation") || both.contains("-XX:TieredStopAtLevel=1"), both.toString());
            assertTrue(both.contains("-XX:FreqInlineSize=100"), both.toString()); // C2's inlining, smaller
        }
        // a flood's Java work per probe is small enough for C1 (bin/rawsock: send), and C2's start-up costs 4 MB
        assertTrue(send.contains("-XX:TieredStopAtLevel=1"), send.toString());
        assertTrue(jvmFlags("craft").contains("-XX:TieredStopAtLevel=1"));
        for (List<String> flags : List.of(send, decode, sniff)) {
            assertTrue(flags.contains("-XX:+UseSerialGC") && flags.contains("-XX:InitialHeapSize=8388608"), flags.toString());
            // the peak-memory flags (bin/rawsock: a small first young generation, smaller inlining)
            assertTrue(flags.contains("-XX:NewSize=1048576") && flags.contains("-XX:C1MaxInlineSize=20"), flags.toString());
        }
    }

    /**
     * jffi's JNI stub is loaded from the directory the build unpacked it to, beside the jar, not copied out of the jar
     * into a temp file by every process (the JVM's own log of the libraries it loads says from where).
     */
    @Test
    void loadsJffisStubFromBesideTheJar() throws Exception {
        Path stubs = NativeTools.projectRoot().resolve("target/jffi");
        assertTrue(Files.isDirectory(stubs), "make build unpacks jffi's stub into " + stubs);
        NativeTools.Result r = NativeTools.run(60, List.of(LAUNCHER.toString(), "tour"),
                Map.of("RAWSOCK_JAVA_OPTS", "-Xlog:library=info"));
        assertEquals(0, r.exitCode(), r.stderr());
        List<String> loaded = r.stdout().lines().filter(l -> l.contains("Loaded library") && l.contains("jffi")).toList();
        assertEquals(1, loaded.size(), r.stdout());
        assertTrue(loaded.get(0).contains(stubs.resolve("libjffi-1.2.so").toString()), loaded.toString());
    }
}
