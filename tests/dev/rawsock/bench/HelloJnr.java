package dev.rawsock.bench;

import dev.rawsock.linux.Linux;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

/**
 * The JVM with rawsock's jnr-ffi binding loaded, and nothing else of rawsock: it makes one system call through the
 * binding (getpid) and exits. Its peak RSS is what calling the kernel from Java 17 costs before any packet (jffi's
 * stub, jnr-ffi's classes, the binding it generates at run time): a context row beside the flood's memory budget.
 * It is given what bin/rawsock gives a command, so the row compares like with like: the command's JVM flags,
 * jffi's stub from beside the jar, and a static CDS archive of exactly the classes it loads (as bin/cds-archive
 * makes one per command).
 */
public final class HelloJnr {
    private HelloJnr() {}

    public static void main(String[] args) {
        System.out.println("pid " + Linux.libc().getpid());
    }

    /** This class with the JVM flags bin/rawsock gives {@code rawsockCommand}, jffi's stub, and its own CDS archive. */
    static List<String> command(Path root, String rawsockCommand) throws Exception {
        Path dir = Files.createDirectories(root.resolve("target/bench"));
        // CDS archives only classes from jars (a directory on the class path must be empty): this class in a jar of
        // its own, beside rawsock's, which holds the binding and jnr-ffi
        Path jar = dir.resolve("hello-jnr.jar");
        String resource = HelloJnr.class.getName().replace('.', '/') + ".class";
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
             var in = HelloJnr.class.getClassLoader().getResourceAsStream(resource)) {
            out.putNextEntry(new JarEntry(resource));
            in.transferTo(out);
            out.closeEntry();
        }
        String classPath = jar + ":" + root.resolve("target/rawsock.jar");
        List<String> command = new ArrayList<>(Hello.withFlagsOf(root, rawsockCommand, HelloJnr.class, classPath));
        Path stubs = root.resolve("target/jffi");
        if (Files.isDirectory(stubs)) {
            command.add(1, "-Djffi.boot.library.path=" + stubs);
        }
        Path classList = dir.resolve("hello-jnr.classlist");
        Path archive = dir.resolve("hello-jnr.jsa");
        Files.deleteIfExists(archive);
        Timed.ok(withOptions(command, "-XX:DumpLoadedClassList=" + classList), null, null, null, 60);
        List<String> dump = withOptions(command.subList(0, command.size() - 1), "-Xshare:dump",
                "-XX:SharedClassListFile=" + classList, "-XX:SharedArchiveFile=" + archive, "-Xlog:cds=off");
        Timed.ok(dump, null, null, null, 60);
        if (!Files.isRegularFile(archive)) {
            throw new IOException("no CDS archive from " + String.join(" ", dump));
        }
        return withOptions(command, "-Xshare:on", "-XX:SharedArchiveFile=" + archive);
    }

    /** {@code command} with JVM {@code options} after the java executable. */
    private static List<String> withOptions(List<String> command, String... options) {
        List<String> with = new ArrayList<>(command);
        with.addAll(1, List.of(options));
        return with;
    }
}
