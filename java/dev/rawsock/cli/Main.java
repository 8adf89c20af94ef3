package dev.rawsock.cli;

import dev.rawsock.linux.ErrnoException;
import dev.rawsock.linux.NativeUnavailableException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** The rawsock command line: parse at the edge, run a command, map what went wrong to an exit code. */
@Command(name = "rawsock",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = {
            "A Linux raw-socket packet crafting tool and socket-API workbench: the kernel's socket calls, "
                    + "called directly and traced, and IPv4/IPv6 TCP/UDP/ICMP packets built, sent, captured and decoded.",
        },
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
    /** A command: its name and how its picocli model is built. */
    private record Entry(String name, Supplier<CommandLine> model) {}

    /**
     * Every command, in the order {@code rawsock --help} lists them. A line naming one command builds only that
     * command's model: picocli reflects over every option of every command it is given, which was most of a short
     * command's run. craft and send are declared without annotations ({@link Args}); decode and sniff mix in
     * groups declared so ({@link Args.Declarations}).
     */
    private static final List<Entry> COMMANDS = List.of(
            annotated("tour", TourCommand::new),
            annotated("sockopt", SockoptCommand::new),
            new Entry("craft", CraftCommand::commandLine),
            annotated("decode", DecodeCommand::new),
            new Entry("send", SendCommand::commandLine),
            annotated("handshake", HandshakeCommand::new),
            annotated("sniff", SniffCommand::new),
            annotated("segments", SegmentsCommand::new),
            annotated("connections", ConnectionsCommand::new),
            annotated("scan", ScanCommand::new),
            annotated("traceroute", TracerouteCommand::new),
            annotated("lesson", LessonCommand::new),
            annotated("script", ScriptCommand::new),
            annotated("helper", HelperCommand::new));

    private static Entry annotated(String name, Supplier<Object> command) {
        return new Entry(name, () -> {
            Object annotated = command.get();
            CommandLine model = new CommandLine(annotated);
            if (annotated instanceof Args.Declarations declarations) {
                declarations.addTo(model.getCommandSpec());
            }
            return model;
        });
    }

    private static final String VERBOSE_DESCRIPTION = "On failure, print the Java stack trace too.";

    @Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT, description = VERBOSE_DESCRIPTION)
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
    static int run(PrintWriter out, PrintWriter err, Map<String, CommandLine> reuse, String... args) {
        // picocli registers converters for java.sql and java.time types by reflection in every CommandLine it builds,
        // initialising some 18 classes (a tenth of a short command's run); no rawsock option takes one (durations
        // have Converters.DurationConverter). Set here, not in the launcher, so that tests run the same parser.
        System.setProperty("picocli.converters.excludes", "java\\.sql\\..*,java\\.time\\..*");
        Entry only = subcommandNamed(args);
        if (only != null && reuse != null && reuse.containsKey(only.name())) {
            CommandLine kept = reuse.get(only.name());
            for (CommandLine sub : kept.getSubcommands().values()) {
                // picocli resets options before it parses, but not those of an argument group (--data | --data-string
                // ...): it leaves them to the group's instance. Clear them, so that an option group the line does not
                // name is absent, as in a new run: an annotated group's instance is dropped, an Args group's options reset.
                for (CommandLine.Model.ArgGroupSpec group : sub.getCommandSpec().argGroups()) {
                    try {
                        if (group.setter() != null) {
                            group.setter().set(null);
                        } else {
                            for (CommandLine.Model.ArgSpec member : group.args()) {
                                member.setValue(member.initialValue());
                            }
                        }
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
            for (Entry command : COMMANDS) {
                cli.addSubcommand(command.name(), command.model().get());
            }
            cli.addSubcommand("help", new CommandLine.HelpCommand());
        } else {            // rawsock craft ...: a tree of one command, its top declared without annotations
            CommandLine.Model.CommandSpec top = CommandLine.Model.CommandSpec.create().name("rawsock")
                    .versionProvider(new Version());
            Args topArgs = new Args();
            Args.Arg<Boolean> verboseOption = topArgs.inheritedFlag(VERBOSE_DESCRIPTION, "--verbose");
            topArgs.standardHelpOptions();
            topArgs.addTo(top);
            verbose = verboseOption::get;
            cli = new CommandLine(top).addSubcommand(only.name(), only.model().get());
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
            reuse.put(only.name(), cli);
        }
        return execute(cli, out, err, args);
    }

    private static int execute(CommandLine cli, PrintWriter out, PrintWriter err, String[] args) {
        int code = cli.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    /** The command the first word of {@code args} names, or null (--help, --version, a typo: the whole tree answers). */
    static Entry subcommandNamed(String[] args) {
        for (String arg : args) {
            if (!arg.startsWith("-")) {
                for (Entry command : COMMANDS) {
                    if (command.name().equals(arg)) {
                        return command;
                    }
                }
                return null;
            }
            if (!arg.equals("--verbose")) {
                return null; // --help, --version or a mistake before the command
            }
        }
        return null;
    }

    /** The names of all commands, in --help order (for tests and scripts). */
    static List<String> commandNames() {
        return COMMANDS.stream().map(Entry::name).toList();
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
