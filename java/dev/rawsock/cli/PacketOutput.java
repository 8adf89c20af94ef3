package dev.rawsock.cli;

import dev.rawsock.print.DetailPrinter;
import dev.rawsock.print.HexDump;
import dev.rawsock.print.JsonPrinter;
import dev.rawsock.print.LinePrinter;
import dev.rawsock.wire.DecodedPacket;

import dev.rawsock.cli.Args.Arg;

import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;

/**
 * How packets are printed: one line each (default), the multi-line field view (--show), a hex dump
 * (--dump, with --labels naming each byte range), or JSON Lines (--json). Shared by craft and decode.
 */
final class PacketOutput implements Args.Declarations {
    private final Args args = new Args();
    private final Arg<Boolean> show = args.flag("Show every header field, one per line, with its meaning.", "--show");
    private final Arg<Boolean> hexDump = args.flag("Add a hex dump of each packet (offsets, hex, ASCII).", "--dump");
    private final Arg<Boolean> labels = args.flag("With --hex: label each layer and header field's byte range.", "--labels");
    private final Arg<Boolean> json = args.flag("Print JSON Lines (one object per packet; see the README for the schema).", "--json");
    private boolean hexDumpToo; // craft's and send's --hex, the same as --dump

    private final LinePrinter line = new LinePrinter();
    private final DetailPrinter detail = new DetailPrinter();
    private final StringBuilder text = new StringBuilder(512);
    private char[] chars = new char[512]; // the text handed to the writer without a String per packet
    private JsonPrinter jsonPrinter;

    /** Declares these options to {@code command}. */
    @Override
    public void addTo(CommandSpec command) {
        args.addTo(command);
    }

    boolean json() {
        return json.get();
    }

    /** Whether to add a hex dump even without --dump (set by the command on every run). */
    void hexDumpToo(boolean on) {
        hexDumpToo = on;
    }

    /** Prints one decoded packet to {@code out} in the chosen form. */
    void print(DecodedPacket p, PrintWriter out) {
        text.setLength(0);
        if (json.get()) {
            if (jsonPrinter == null) {
                jsonPrinter = new JsonPrinter(out);
            }
            jsonPrinter.print(p);
            return;
        }
        line.append(text, p).append('\n');
        details(p);
        write(out);
    }

    private void write(PrintWriter out) {
        int n = text.length();
        if (chars.length < n) {
            chars = new char[Math.max(n, chars.length * 2)];
        }
        text.getChars(0, n, chars, 0);
        out.write(chars, 0, n);
    }

    /** Only the multi-line and hex parts (for callers that print their own line first). */
    void printDetails(DecodedPacket p, PrintWriter out) {
        text.setLength(0);
        details(p);
        write(out);
    }

    private void details(DecodedPacket p) {
        if (show.get()) {
            detail.append(text, p);
        }
        if (hexDump.get() || hexDumpToo || labels.get()) {
            if (labels.get()) {
                HexDump.appendLabelled(text, p);
            } else {
                HexDump.append(text, p);
            }
        }
    }

    void flush(PrintWriter out) {
        if (jsonPrinter != null) {
            jsonPrinter.flush();
        }
        out.flush();
    }
}
