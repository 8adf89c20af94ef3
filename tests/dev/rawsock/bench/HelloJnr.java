package dev.rawsock.bench;

import dev.rawsock.linux.Linux;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The JVM with rawsock's jnr-ffi binding loaded, and nothing else of rawsock: it makes one system call through the
 * binding (getpid) and exits. Its peak RSS over {@link Hello}'s is what calling the kernel from Java 17 costs before
 * any packet (jffi's stub, jnr-ffi's classes, the binding it generates at run time): a context row beside the flood's
 * memory budget.
 */
public final class HelloJnr {
    private HelloJnr() {}

    public static void main(String[] args) {
        System.out.println("pid " + Linux.libc().getpid());
    }

    /** This class with the JVM flags bin/rawsock gives {@code rawsockCommand}, and jffi's stub where the build put it. */
    static List<String> command(Path root, String rawsockCommand) throws Exception {
        List<String> command = new ArrayList<>(Hello.withFlagsOf(root, rawsockCommand, HelloJnr.class,
                System.getProperty("java.class.path")));
        Path stubs = root.resolve("target/jffi");
        if (java.nio.file.Files.isDirectory(stubs)) {
            command.add(1, "-Djffi.boot.library.path=" + stubs);
        }
        return command;
    }
}
