package dev.rawsock.cli;

import dev.rawsock.linux.ErrnoException;
import dev.rawsock.linux.NativeUnavailableException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;

/** The rawsock command line: parse at the edge, run a command, map what went wrong to an exit code. */
@Command(name = "rawsock",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = {
            "A Linux raw-socket packet crafting tool and socket-API workbench: the kernel's socket calls, "
                    + "called directly and traced, and IPv4/IPv6 TCP/UDP/ICMP packets built, sent, captured and decoded.",
        },
        subcommands = {TourCommand.class, SockoptCommand.class, CraftCommand.class, DecodeCommand.class, SendCommand.class,
            HandshakeCommand.class, SniffCommand.class, SegmentsCommand.class, ConnectionsCommand.class,
            ScanCommand.class, TracerouteCommand.class, LessonCommand.class, ScriptCommand.class, HelperCommand.class,
            CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:ok",
            "1:runtime failure (a call failed: the message names it and its errno)",
            "2:usage error (a bad option or value: the message names it)",
            "3:not permitted (raw sockets need CAP_NET_RAW / root, or the helper; the lab needs root)",
            "4:no reply / timeout where a reply was asked for",
        },
        footer = {"%nEvery command takes --help. Packets are sent only where you point them; demos use 127.0.0.1 (::1) and the lab's own namespaces."})
public final class Main implements Runnable {
    @Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT,
            description = "On failure, print the Java stack trace too.")
    boolean verbose;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required (try 'rawsock tour')");
    }

    public static void main(String[] args) {
        System.exit(run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /** Runs one command line with the given writers and returns its exit code (for tests and scripts). */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        return run(out, err, null, args);
    }

    /**
     * The same, keeping each command's parsed model in {@code reuse} (when not null) for the next line that
     * names the same command: picocli resets every option to its initial value before it parses, and building
     * the model is most of the cost of a short command once the JVM is warm ({@code rawsock script}).
     */
    static int run(PrintWriter out, PrintWriter err, java.util.Map<Class<?>, CommandLine> reuse, String... args) {
        Class<?> only = subcommandNamed(args);
        if (only != null && reuse != null && reuse.containsKey(only)) {
            CommandLine kept = reuse.get(only);
            for (CommandLine sub : kept.getSubcommands().values()) {
                // picocli resets options, but keeps the instance of an argument group (--data | --data-string ...)
                // from the last parse: clear it, so an option group the line does not name is absent, as in a new run.
                for (CommandLine.Model.ArgGroupSpec group : sub.getCommandSpec().argGroups()) {
                    try {
                        group.setter().set(null);
                    } catch (Exception e) {
                        throw new IllegalStateException("cannot reset option group " + group.synopsis(), e);
                    }
                }
            }
            return execute(kept, out, err, args);
        }
        java.util.function.BooleanSupplier verbose;
        CommandLine cli;
        if (only == null) { // rawsock --help, --version, a typo: the whole tree, every command listed
            Main main = new Main();
            verbose = () -> main.verbose;
            cli = new CommandLine(main);
        } else {            // rawsock craft ...: only that command's options are reflected (start-up, see below)
            One one = new One();
            verbose = () -> one.verbose;
            cli = new CommandLine(one).addSubcommand(only);
        }
        cli.setOut(out);
        cli.setErr(err);
        cli.setParameterExceptionHandler((ex, argv) -> {
            CommandLine failed = ex.getCommandLine();
            failed.getErr().println("rawsock: " + ex.getMessage());
            failed.getErr().println("Try '" + failed.getCommandSpec().qualifiedName() + " --help' for more information.");
            return ExitCodes.USAGE;
        });
        cli.setExecutionExceptionHandler((ex, failed, parseResult) -> {
            PrintWriter e = failed.getErr();
            if (verbose.getAsBoolean()) {
                ex.printStackTrace(e);
            }
            e.println("rawsock: " + ex.getMessage());
            e.flush();
            if (ex instanceof ErrnoException errno) {
                return errno.notPermitted() ? ExitCodes.NOT_PERMITTED : ExitCodes.FAILURE;
            }
            if (ex instanceof dev.rawsock.lab.TcpTimeoutException) {
                return ExitCodes.NO_REPLY;
            }
            if (ex instanceof dev.rawsock.lab.LabException lab) {
                return lab.notPermitted() ? ExitCodes.NOT_PERMITTED : ExitCodes.FAILURE;
            }
            if (ex instanceof dev.rawsock.helper.HelperException helper) {
                return helper.notPermitted() ? ExitCodes.NOT_PERMITTED : ExitCodes.FAILURE;
            }
            if (ex instanceof UsageException) {
                return ExitCodes.USAGE;
            }
            if (ex instanceof NativeUnavailableException) {
                return ExitCodes.FAILURE;
            }
            if (!(ex instanceof java.io.IOException) && !verbose.getAsBoolean()) {
                e.println("rawsock: (an internal error: run with --verbose for the stack trace, and please report it)");
            }
            return ExitCodes.FAILURE;
        });
        if (only != null && reuse != null) {
            reuse.put(only, cli);
        }
        return execute(cli, out, err, args);
    }

    private static int execute(CommandLine cli, PrintWriter out, PrintWriter err, String[] args) {
        int code = cli.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    /**
     * The subcommand class the first word of {@code args} names (from Main's own subcommand list), or null.
     * picocli reflects over every option of every command in the tree when it is built: for eleven commands
     * that was about 380 ms of a 0.5 s `rawsock craft`, so a line naming one command builds a tree of one.
     */
    static Class<?> subcommandNamed(String[] args) {
        String word = null;
        for (String arg : args) {
            if (!arg.startsWith("-")) {
                word = arg;
                break;
            }
            if (!arg.equals("--verbose")) {
                return null; // --help, --version or a mistake before the command: the whole tree answers
            }
        }
        if (word == null) {
            return null;
        }
        for (Class<?> sub : Main.class.getAnnotation(Command.class).subcommands()) {
            Command command = sub.getAnnotation(Command.class);
            if (sub != CommandLine.HelpCommand.class && command != null
                    && (command.name().equals(word) || java.util.Arrays.asList(command.aliases()).contains(word))) {
                return sub;
            }
        }
        return null;
    }

    /** The top of a tree of one subcommand: Main's options, without its subcommand list. */
    @Command(name = "rawsock", mixinStandardHelpOptions = true, versionProvider = Main.Version.class)
    static final class One implements Runnable {
        @Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT,
                description = "On failure, print the Java stack trace too.")
        boolean verbose;

        @Override
        public void run() {
            throw new IllegalStateException("only built with a subcommand");
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Main.class.getPackage().getImplementationVersion();
            return new String[] {"rawsock " + (version != null ? version : "(development build)"),
                "Java " + System.getProperty("java.version") + ", " + System.getProperty("os.name") + " "
                        + System.getProperty("os.arch")};
        }
    }
}
