package dev.rawsock.capture;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A capture file that is not a valid pcap or pcapng file: the one exception {@link PcapReader} throws for
 * bad content (I/O failures stay plain {@link IOException}s). The message names the file, the byte offset
 * and what is wrong, e.g. {@code "x.pcap: offset 40: truncated record: header says 1500 captured bytes,
 * only 200 remain"}.
 */
public final class PcapFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final long offset;
    private final String problem;

    public PcapFormatException(Path file, long offset, String problem) {
        super(file + ": offset " + offset + ": " + problem);
        this.file = file;
        this.offset = offset;
        this.problem = problem;
    }

    /** The file being read. */
    public Path file() {
        return file;
    }

    /** The byte offset in the file of the header, block or record that is wrong. */
    public long offset() {
        return offset;
    }

    /** What is wrong, without the file and offset. */
    public String problem() {
        return problem;
    }
}
