package dev.rawsock.cli;

import dev.rawsock.lab.Lab;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** One rawsock command line run in-process through {@link Main#run}: its exit code and what it wrote. */
public record CliRun(int code, String out, String err) {
    public static CliRun rawsock(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out), new PrintWriter(err), args);
        return new CliRun(code, out.toString(), err.toString());
    }

    public List<String> lines() {
        return out.isEmpty() ? List.of() : List.of(out.split("\n"));
    }

    /** The lines of standard output that start with {@code prefix} ("SENT", "RCVD"). */
    public List<String> lines(String prefix) {
        return out.lines().filter(l -> l.startsWith(prefix)).toList();
    }

    /** No lab namespace of this process is left (after each test of a command that builds labs). */
    /** The namespaces of a lab a test made and closed are gone (other labs of the class may still run). */
    static void assertLabRemoved(List<String> namespaces) {
        List<String> left = Lab.existingNamespaces().stream().filter(namespaces::contains).toList();
        assertTrue(left.isEmpty(), "a lab was left: " + left);
    }

    static void assertNoLabLeft() {
        String prefix = Lab.PREFIX + ProcessHandle.current().pid() + "-";
        assertTrue(Lab.existingNamespaces().stream().noneMatch(n -> n.startsWith(prefix)), "a lab was left: " + Lab.existingNamespaces());
    }
}
