package dev.rawsock.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.ArgGroupSpec;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.ScopeType;

import java.util.ArrayList;
import java.util.List;

/**
 * Options and parameters declared through picocli's programmatic API instead of its annotations: those of
 * {@code rawsock craft} and {@code rawsock send}, and the option groups they share with decode and sniff
 * ({@link PacketOptions}, {@link PacketOutput}). Why: craft's start-up is measured against Scapy and the flood's
 * peak RSS against a budget (issue 9), and on JDK 17 reading craft's ~60 annotations by reflection was half of
 * its run (each annotation type needs a proxy class generated at run time, which no CDS archive holds). Each
 * declaration returns a typed handle on the parsed value; picocli puts every value back to its initial one before
 * each parse ({@code rawsock script} reuses a model).
 */
final class Args {
    private final List<ArgSpec> ungrouped = new ArrayList<>();
    private final List<ArgGroupSpec> groups = new ArrayList<>();

    /**
     * Declares options into a command's model: an option group ({@link PacketOptions}, {@link PacketOutput}), or an
     * annotated command that mixes such groups into the model picocli made from its annotations (decode, sniff:
     * Main calls it).
     */
    interface Declarations {
        void addTo(CommandSpec command);
    }

    /** One declared option or parameter: its value after parsing (null, false or empty when not given). */
    static final class Arg<T> {
        private final ArgSpec spec;

        private Arg(ArgSpec spec) {
            this.spec = spec;
        }

        T get() {
            return spec.getValue();
        }

        /** The option's first name, for messages ("--dport"). */
        String name() {
            return spec instanceof OptionSpec o ? o.longestName() : spec.paramLabel();
        }
    }

    /** An option taking a value, converted (and range-checked) by {@code converter}. */
    <T> Arg<T> option(Class<T> type, ITypeConverter<T> converter, String paramLabel, String description, String... names) {
        return add(OptionSpec.builder(names).type(type).converters(converter).paramLabel(paramLabel).description(description).build());
    }

    /** The same with a default, converted as a given value is (and shown by ${DEFAULT-VALUE} in the description). */
    <T> Arg<T> optionWithDefault(Class<T> type, ITypeConverter<T> converter, String defaultValue, String paramLabel,
                                 String description, String... names) {
        return add(OptionSpec.builder(names).type(type).converters(converter).defaultValue(defaultValue).paramLabel(paramLabel)
                .description(description).build());
    }

    /** An option taking a value of a type picocli converts itself (String, Long, Double, Path). */
    <T> Arg<T> option(Class<T> type, String paramLabel, String description, String... names) {
        return add(OptionSpec.builder(names).type(type).paramLabel(paramLabel).description(description).build());
    }

    /** An option that is on when given. */
    Arg<Boolean> flag(String description, String... names) {
        return add(OptionSpec.builder(names).type(boolean.class).arity("0").initialValue(false).description(description).build());
    }

    /** An option that is on when given, before or after the subcommand's name (picocli's INHERIT scope). */
    Arg<Boolean> inheritedFlag(String description, String... names) {
        return add(OptionSpec.builder(names).type(boolean.class).arity("0").initialValue(false).scopeType(ScopeType.INHERIT)
                .description(description).build());
    }

    /** An option that may be given many times; the values in the order given (an empty list when absent). */
    @SuppressWarnings("unchecked")
    <T> Arg<List<T>> repeatable(Class<T> elementType, ITypeConverter<T> converter, String paramLabel, String description,
                                String... names) {
        return add(OptionSpec.builder(names).type(List.class).auxiliaryTypes(elementType).converters(converter)
                .initialValue(new ArrayList<T>()).paramLabel(paramLabel).description(description).build());
    }

    /** The positional parameter at {@code index}, required. */
    <T> Arg<T> positional(int index, Class<T> type, ITypeConverter<T> converter, String paramLabel, String description) {
        return add(PositionalParamSpec.builder().index(String.valueOf(index)).arity("1").required(true).type(type).converters(converter)
                .paramLabel(paramLabel).description(description).build());
    }

    /** -h/--help and -V/--version, as picocli's mixinStandardHelpOptions has them (without reading its annotations). */
    void standardHelpOptions() {
        add(OptionSpec.builder("-h", "--help").usageHelp(true).description("Show this help message and exit.").build());
        add(OptionSpec.builder("-V", "--version").versionHelp(true).description("Print version information and exit.").build());
    }

    /** At most one of {@code members} may be given: picocli names them both when two are. */
    void exclusive(Arg<?>... members) {
        ArgGroupSpec.Builder group = ArgGroupSpec.builder().exclusive(true).multiplicity("0..1");
        for (Arg<?> member : members) {
            ungrouped.remove(member.spec);
            group.addArg(member.spec);
        }
        groups.add(group.build());
    }

    /**
     * The model of {@code command} (craft, send) without reading its annotations: its name and usage text, -h and -V,
     * what was declared here, then each group's options.
     */
    CommandSpec commandSpec(Object command, String name, String[] description, String[] footer, Declarations... groups) {
        CommandSpec spec = CommandSpec.wrapWithoutInspection(command).name(name);
        spec.usageMessage().description(description).footer(footer);
        standardHelpOptions();
        addTo(spec);
        for (Declarations group : groups) {
            group.addTo(spec);
        }
        return spec;
    }

    /** Declares everything to {@code command}. */
    void addTo(CommandSpec command) {
        for (ArgSpec arg : ungrouped) {
            if (arg instanceof OptionSpec option) {
                command.addOption(option);
            } else {
                command.addPositional((PositionalParamSpec) arg);
            }
        }
        groups.forEach(command::addArgGroup);
    }

    private <T> Arg<T> add(ArgSpec spec) {
        ungrouped.add(spec);
        return new Arg<>(spec);
    }
}
