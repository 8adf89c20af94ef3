package dev.rawsock.capture;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** "Files are written completely or not at all": the target appears only on close, whole. */
class PcapWriterAtomicityTest {
    @TempDir
    Path dir;

    private static final ByteBuffer PACKET = ByteBuffer.wrap(new byte[1500]);

    private List<Path> files() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    @Test
    void theTargetAppearsOnlyOnClose() throws IOException {
        Path target = dir.resolve("out.pcap");
        PcapWriter w = PcapWriter.open(target, LinkType.ETHERNET, 65535, false);
        Path temporary = w.temporaryFile();
        assertEquals(dir.toAbsolutePath(), temporary.getParent());
        assertTrue(temporary.getFileName().toString().startsWith(".out.pcap."), temporary.toString());
        for (int i = 0; i < 1000; i++) { // well past the 64 KiB buffer: the temporary file really grows
            w.write(i, PACKET, 0, 1500, 1500);
            assertFalse(Files.exists(target));
        }
        assertTrue(Files.size(temporary) > 1_000_000);
        w.close();
        assertEquals(List.of(target), files());
        assertEquals(24 + 1000 * (16 + 1500), Files.size(target));
        w.close(); // idempotent
        w.abort(); // too late to abort: nothing happens
        assertTrue(Files.exists(target));
        assertThrows(IllegalStateException.class, () -> w.write(0, PACKET, 0, 10, 10));
    }

    @Test
    void abortLeavesNoFile() throws IOException {
        Path target = dir.resolve("aborted.pcap");
        PcapWriter w = PcapWriter.open(target, LinkType.RAW, 65535, true);
        for (int i = 0; i < 100; i++) {
            w.write(i, PACKET, 0, 1000, 1000);
        }
        w.abort();
        assertEquals(List.of(), files());
        w.abort();
        w.close(); // after abort, close does not resurrect the file
        assertEquals(List.of(), files());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> w.write(0, PACKET, 0, 10, 10));
        assertTrue(e.getMessage().contains("aborted"), e.getMessage());
    }

    @Test
    void anExistingTargetKeepsItsContentUntilTheNewFileIsComplete() throws IOException {
        Path target = dir.resolve("keep.pcap");
        byte[] old = "old content".getBytes(StandardCharsets.US_ASCII);
        Files.write(target, old);
        PcapWriter aborted = PcapWriter.open(target, LinkType.ETHERNET, 65535, false);
        aborted.write(1, PACKET, 0, 100, 100);
        aborted.abort();
        assertArrayEquals(old, Files.readAllBytes(target));

        PcapWriter w = PcapWriter.open(target, LinkType.ETHERNET, 65535, false);
        w.write(1, PACKET, 0, 100, 100);
        assertArrayEquals(old, Files.readAllBytes(target));
        w.close();
        assertEquals(24 + 16 + 100, Files.size(target));
        assertEquals(List.of(target), files());
    }

    @Test
    void aBodyThatThrowsLeavesNoFile() throws IOException {
        Path target = dir.resolve("body.pcap");
        IllegalStateException thrown = new IllegalStateException("the test under capture failed");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> PcapWriter.writeFile(target, LinkType.ETHERNET, 65535, false, w -> {
                    for (int i = 0; i < 100; i++) {
                        w.write(i, PACKET, 0, 1500, 1500);
                    }
                    throw thrown;
                }));
        assertSame(thrown, e);
        assertEquals(List.of(), files());
        IOException io = assertThrows(IOException.class,
                () -> PcapWriter.writeFile(target, LinkType.ETHERNET, 65535, false, w -> {
                    throw new IOException("disk on fire");
                }));
        assertEquals("disk on fire", io.getMessage());
        assertEquals(List.of(), files());
        // And when the body returns, the file is there.
        PcapWriter.writeFile(target, LinkType.ETHERNET, 65535, false, w -> w.write(7, PACKET, 0, 64, 64));
        assertEquals(List.of(target), files());
        try (PcapReader r = PcapReader.open(target)) {
            assertTrue(r.next());
            assertEquals(64, r.capturedLength());
            assertFalse(r.next());
        }
    }

    /** A channel that fails after a number of bytes, as a full disk would. */
    private static final class FailingChannel implements WritableByteChannel {
        private final WritableByteChannel inner;
        private long allowance;
        boolean closed;

        FailingChannel(WritableByteChannel inner, long allowance) {
            this.inner = inner;
            this.allowance = allowance;
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            if (src.remaining() > allowance) {
                // Part of the buffer reaches the file first, like a short write before ENOSPC.
                ByteBuffer part = src.duplicate();
                part.limit(part.position() + (int) allowance);
                int n = inner.write(part);
                src.position(src.position() + n);
                allowance -= n;
                throw new IOException("No space left on device");
            }
            int n = inner.write(src);
            allowance -= n;
            return n;
        }

        @Override
        public boolean isOpen() {
            return inner.isOpen();
        }

        @Override
        public void close() throws IOException {
            closed = true;
            inner.close();
        }
    }

    @Test
    void aFailureMidWriteLeavesNoFile() throws IOException {
        Path target = dir.resolve("full.pcap");
        byte[] old = "previous capture".getBytes(StandardCharsets.US_ASCII);
        Files.write(target, old);
        FailingChannel[] channel = new FailingChannel[1];
        PcapWriter w = PcapWriter.open(target, LinkType.ETHERNET, 65535, false, ByteOrder.LITTLE_ENDIAN,
                inner -> channel[0] = new FailingChannel(inner, 100_000));
        IOException e = assertThrows(IOException.class, () -> {
            for (int i = 0; i < 1000; i++) {
                w.write(i, PACKET, 0, 1500, 1500);
            }
        });
        assertEquals("No space left on device", e.getMessage());
        assertTrue(channel[0].closed);
        assertEquals(List.of(target), files()); // only the old file: the temporary one is gone
        assertArrayEquals(old, Files.readAllBytes(target));
        assertThrows(IllegalStateException.class, () -> w.write(0, PACKET, 0, 10, 10));
        w.close(); // nothing to commit
        assertArrayEquals(old, Files.readAllBytes(target));
    }

    @Test
    void aFailureWhileClosingLeavesNoFile() throws IOException {
        Path target = dir.resolve("close.pcap");
        PcapWriter w = PcapWriter.open(target, LinkType.ETHERNET, 65535, false, ByteOrder.LITTLE_ENDIAN,
                inner -> new FailingChannel(inner, 24 + 16 * 10 + 500));
        for (int i = 0; i < 10; i++) {
            w.write(i, PACKET, 0, 100, 100); // all of it still in the writer's buffer
        }
        IOException e = assertThrows(IOException.class, w::close);
        assertEquals("No space left on device", e.getMessage());
        assertEquals(List.of(), files());
    }

    @Test
    void badArgumentsWriteNothingAndKeepTheWriterUsable() throws IOException {
        Path target = dir.resolve("args.pcap");
        try (PcapWriter w = PcapWriter.open(target, LinkType.ETHERNET, 100, false)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> w.write(0, PACKET, 0, 101, 101));
            assertEquals("captured_length must be 0-100 (the snapshot length) but was 101", e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> w.write(0, PACKET, 0, 50, 49));
            assertEquals("original_length must be at least the captured length 50 but was 49", e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> w.write(-1, PACKET, 0, 50, 50));
            assertTrue(e.getMessage().startsWith("timestamp must be from 1970 to 2106"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> w.write(0x1_0000_0000L * 1_000_000_000L, PACKET, 0, 50, 50));
            assertTrue(e.getMessage().startsWith("timestamp must be from 1970 to 2106"), e.getMessage());
            assertThrows(IndexOutOfBoundsException.class, () -> w.write(0, PACKET, 1450, 100, 100));
            w.write(0, PACKET, 0, 50, 50);
            assertEquals(1, w.records());
        }
        assertEquals(24 + 16 + 50, Files.size(target));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PcapWriter.open(dir.resolve("x.pcap"), LinkType.RAW, 0, false));
        assertEquals("snap_length must be 1-268435456 but was 0", e.getMessage());
        assertEquals(List.of(target), files());
    }

    @Test
    void aTargetThatCannotBeReplacedLeavesNoTemporaryFile() throws IOException {
        // Renaming a file over a non-empty directory fails: the writer must clean up after itself.
        Path target = dir.resolve("occupied");
        Files.createDirectory(target);
        Files.write(target.resolve("inside"), new byte[1]);
        PcapWriter w = PcapWriter.open(target, LinkType.RAW, 100, false);
        w.write(0, PACKET, 0, 10, 10);
        assertThrows(IOException.class, w::close);
        assertEquals(List.of(target), files());
        assertTrue(Files.isDirectory(target));
    }
}
