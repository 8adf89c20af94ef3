package dev.rawsock.course;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One lesson of the course (docs/course/NN-name.md, or ko/NN-name.md), read from its Markdown text.
 *
 * <p>The machine-readable part: every fenced block opened by {@code ```console} holds one or more steps,
 * each a line {@code $ rawsock ARGS} followed by the output that command prints: its standard output, then
 * its standard error, then, when the exit code is not 0, a last line {@code [exit N]}. Everything outside
 * those blocks is prose for people. A step's title is the nearest Markdown heading above its block.
 */
public final class Lesson {
    /** The lessons, in order: number N is {@code NAMES.get(N - 1)}, the file {@code NN-name.md}. */
    public static final List<String> NAMES = List.of("reliable-stream", "segments", "four-tuple", "socket-api", "handshake");

    /** Where the lessons live as class-path resources (the build copies docs/course there). */
    public static final String RESOURCE_ROOT = "/course/";

    private static final String FENCE = "```";
    private static final String PROMPT = "$ ";
    private static final String EXIT_PREFIX = "[exit ";

    /** One command of a lesson: its title, its arguments (after "rawsock"), and the output the lesson shows. */
    public record Step(String title, String commandLine, List<String> args, String expectedOutput, int expectedExit, int line) {}

    private final int number;
    private final String title;
    private final List<Step> steps;

    private Lesson(int number, String title, List<Step> steps) {
        this.number = number;
        this.title = title;
        this.steps = List.copyOf(steps);
    }

    public int number() {
        return number;
    }

    public String title() {
        return title;
    }

    public List<Step> steps() {
        return steps;
    }

    /** The file name of lesson {@code number} (1-based), e.g. 01-reliable-stream.md. */
    public static String fileName(int number) {
        return String.format(java.util.Locale.ROOT, "%02d-%s.md", number, NAMES.get(number - 1));
    }

    /** The resource path of a lesson in a language: "en" (docs/course/) or "ko" (docs/course/ko/). */
    public static String resource(int number, String language) {
        return RESOURCE_ROOT + ("en".equals(language) ? "" : language + "/") + fileName(number);
    }

    /** Reads lesson {@code number} in {@code language} from the class path; null when it is not there. */
    public static Lesson load(int number, String language) {
        try (InputStream in = Lesson.class.getResourceAsStream(resource(number, language))) {
            if (in == null) {
                return null;
            }
            return parse(number, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Parses a lesson's Markdown; a malformed console block is an IllegalArgumentException naming its line. */
    public static Lesson parse(int number, String markdown) {
        String[] lines = markdown.split("\n", -1);
        String lessonTitle = null;
        String heading = "";
        List<Step> steps = new ArrayList<>();
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.startsWith("#") && !line.startsWith("#!")) {
                String text = line.replaceFirst("^#+\\s*", "").strip();
                if (lessonTitle == null && line.startsWith("# ")) {
                    lessonTitle = text;
                }
                heading = text;
                continue;
            }
            if (!line.strip().equals(FENCE + "console")) {
                if (line.startsWith(FENCE)) {
                    i = skipFence(lines, i); // other fenced blocks (code, C) may hold lines starting with '#'
                }
                continue;
            }
            int close = i + 1;
            while (close < lines.length && !lines[close].startsWith(FENCE)) {
                close++;
            }
            if (close == lines.length) {
                throw new IllegalArgumentException("line " + (i + 1) + ": a ```console block is never closed");
            }
            readBlock(lines, i + 1, close, heading, steps);
            i = close;
        }
        if (lessonTitle == null) {
            throw new IllegalArgumentException("lesson " + number + " has no '# ' title line");
        }
        return new Lesson(number, lessonTitle, steps);
    }

    private static int skipFence(String[] lines, int open) {
        for (int j = open + 1; j < lines.length; j++) {
            if (lines[j].startsWith(FENCE)) {
                return j;
            }
        }
        return lines.length;
    }

    private static void readBlock(String[] lines, int from, int to, String title, List<Step> steps) {
        if (from >= to || !lines[from].startsWith(PROMPT)) {
            throw new IllegalArgumentException("line " + (from + 1) + ": a ```console block must start with '$ rawsock ...'");
        }
        int i = from;
        while (i < to) {
            String commandLine = lines[i].substring(PROMPT.length()).strip();
            List<String> words = Words.split(commandLine);
            if (words.isEmpty() || !words.get(0).equals("rawsock")) {
                throw new IllegalArgumentException("line " + (i + 1) + ": only rawsock commands can be run: '" + commandLine + "'");
            }
            int start = i + 1;
            int end = start;
            while (end < to && !lines[end].startsWith(PROMPT)) {
                end++;
            }
            List<String> output = new ArrayList<>(List.of(lines).subList(start, end));
            int exit = 0;
            if (!output.isEmpty() && output.get(output.size() - 1).startsWith(EXIT_PREFIX)) {
                String last = output.remove(output.size() - 1);
                try {
                    exit = Integer.parseInt(last.substring(EXIT_PREFIX.length(), last.indexOf(']')));
                } catch (RuntimeException e) {
                    throw new IllegalArgumentException("line " + end + ": '[exit N]' expected but was '" + last + "'");
                }
            }
            StringBuilder text = new StringBuilder();
            for (String o : output) {
                text.append(o).append('\n');
            }
            steps.add(new Step(title, commandLine, List.copyOf(words.subList(1, words.size())), text.toString(), exit, i + 1));
            i = end;
        }
    }

    /** Splits a command line as a POSIX shell would for the quoting the lessons use: 'single', "double", spaces. */
    public static final class Words {
        private Words() {}

        public static List<String> split(String line) {
            List<String> words = new ArrayList<>();
            StringBuilder word = new StringBuilder();
            boolean inWord = false;
            char quote = 0;
            for (int i = 0; i < line.length(); i++) {
                char c = line.charAt(i);
                if (quote != 0) {
                    if (c == quote) {
                        quote = 0;
                    } else {
                        word.append(c);
                    }
                } else if (c == '\'' || c == '"') {
                    quote = c;
                    inWord = true;
                } else if (c == ' ' || c == '\t') {
                    if (inWord) {
                        words.add(word.toString());
                        word.setLength(0);
                        inWord = false;
                    }
                } else {
                    word.append(c);
                    inWord = true;
                }
            }
            if (quote != 0) {
                throw new IllegalArgumentException("unclosed " + quote + " quote in: " + line);
            }
            if (inWord) {
                words.add(word.toString());
            }
            return words;
        }
    }
}
