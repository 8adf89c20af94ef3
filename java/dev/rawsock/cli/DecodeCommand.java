package dev.rawsock.cli;

import dev.rawsock.capture.PcapFormatException;
import dev.rawsock.capture.PcapReader;
import dev.rawsock.wire.Bytes;
import dev.rawsock.wire.DecodedPacket;
import dev.rawsock.wire.FirstLayer;
import dev.rawsock.wire.PacketDecoder;

import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.concurrent.Callable;

/** Decodes packets from a pcap/pcapng file, standard input, or hex given on the command line. */
@Command(name = "decode", mixinStandardHelpOptions = true,
        description = {
            "Decode packets from a pcap/pcapng file or hex bytes, every field described.",
            "",
            "Decode packets as far as their bytes allow and describe every field: from a pcap or pcapng",
            "file (- for standard input), or from hex bytes (--hex; --hex - reads hex from standard input).",
            "Truncated captures and malformed packets are decoded as far as they go and flagged.",
        },
        footer = {"%nExamples:",
            "  rawsock decode capture.pcap --count 10",
            "  rawsock decode capture.pcap --json",
            "  rawsock decode --hex '45 00 00 28 00 01 00 00 40 06 7c cd 7f 00 00 01 7f 00 00 01 ...' --show",
            "  rawsock craft tcp --json --out one.pcap && rawsock decode one.pcap --dump --labels"})
final class DecodeCommand implements Callable<Integer>, Args.Declarations {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "FILE", description = "A pcap or pcapng file, or - for standard input.")
    String file;

    @Option(names = "--hex", paramLabel = "BYTES", description = "Decode these hex bytes instead of a file (- reads them from standard input).")
    String hexInput;

    @Option(names = "--link", paramLabel = "LINK", converter = LinkConverter.class, defaultValue = "ip",
            description = "With --hex: what the bytes start with: ip (IPv4 or IPv6 by version), ipv4, ipv6, eth, sll, sll2 (default: ${DEFAULT-VALUE}).")
    FirstLayer link;

    @Option(names = "--count", paramLabel = "N", converter = NonNegative.class, description = "Decode at most N packets.")
    Long count;

    @Option(names = "--skip", paramLabel = "N", converter = NonNegative.class, defaultValue = "0", description = "Skip the first N packets.")
    long skip;

    final PacketOutput output = new PacketOutput();

    static final class LinkConverter implements ITypeConverter<FirstLayer> {
        @Override
        public FirstLayer convert(String text) {
            switch (text.toLowerCase(Locale.ROOT)) {
                case "ip": case "raw": return FirstLayer.IP;
                case "ipv4": return FirstLayer.IPV4;
                case "ipv6": return FirstLayer.IPV6;
                case "eth": case "ethernet": return FirstLayer.ETHERNET;
                case "sll": return FirstLayer.LINUX_SLL;
                case "sll2": return FirstLayer.LINUX_SLL2;
                default: throw new TypeConversionException("'" + text + "' is not a link type: expected ip, ipv4, ipv6, eth, sll or sll2");
            }
        }
    }

    static final class NonNegative implements ITypeConverter<Long> {
        @Override
        public Long convert(String text) {
            try {
                long v = Long.parseLong(text.trim());
                if (v < 0) {
                    throw new NumberFormatException();
                }
                return v;
            } catch (NumberFormatException e) {
                throw new TypeConversionException("must be a whole number of 0 or more but was '" + text + "'");
            }
        }
    }

    @Override
    public void addTo(CommandSpec command) {
        output.addTo(command);
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if ((file == null) == (hexInput == null)) {
            throw new UsageException("give a FILE (or - for standard input) or --hex BYTES, not " + (file == null ? "neither" : "both"));
        }
        PacketDecoder decoder = new PacketDecoder();
        DecodedPacket decoded = new DecodedPacket();
        if (hexInput != null) {
            String text = hexInput.equals("-") ? new String(System.in.readAllBytes(), StandardCharsets.US_ASCII) : hexInput;
            Bytes bytes;
            try {
                bytes = Bytes.fromHex(text);
            } catch (IllegalArgumentException e) {
                throw new UsageException("--hex: " + e.getMessage());
            }
            ByteBuffer b = ByteBuffer.wrap(bytes.toArray());
            decoder.decode(b, 0, bytes.length(), bytes.length(), link, decoded);
            decoded.frameNumber(1);
            output.print(decoded, out);
            output.flush(out);
            return ExitCodes.OK;
        }
        Path path = file.equals("-") ? stdinToTemporaryFile() : Path.of(file);
        try (PcapReader reader = PcapReader.open(path)) {
            long frame = 0;
            long printed = 0;
            while ((count == null || printed < count) && reader.next()) {
                frame++;
                if (frame <= skip) {
                    continue;
                }
                decoder.decode(reader.buffer(), 0, reader.capturedLength(), (int) Math.min(reader.originalLength(), Integer.MAX_VALUE),
                        reader.linkType().firstLayer(), decoded);
                decoded.frameNumber(frame);
                output.print(decoded, out);
                printed++;
            }
        } catch (NoSuchFileException e) {
            throw new UsageException("cannot read '" + file + "': no such file");
        } catch (PcapFormatException e) {
            output.flush(out);
            if (file.equals("-")) {
                // Name the input the user gave, not the temporary copy (deleted below).
                throw new PcapFormatException(Path.of("(standard input)"), e.offset(), e.problem());
            }
            throw e;
        } finally {
            if (file.equals("-")) {
                Files.deleteIfExists(path);
            }
        }
        output.flush(out);
        return ExitCodes.OK;
    }

    private static Path stdinToTemporaryFile() throws IOException {
        Path temporary = Files.createTempFile("rawsock-stdin", ".pcap");
        try (InputStream in = System.in) {
            Files.copy(in, temporary, StandardCopyOption.REPLACE_EXISTING);
        }
        return temporary;
    }
}
