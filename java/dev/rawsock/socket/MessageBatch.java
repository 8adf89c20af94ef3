package dev.rawsock.socket;

import dev.rawsock.linux.ErrnoException;
import dev.rawsock.linux.LibC;
import dev.rawsock.linux.NativeBuffer;
import dev.rawsock.linux.Structs;
import dev.rawsock.linux.Syscall;

import java.nio.ByteBuffer;

/**
 * A sendmmsg(2) batch, the base of the IPv4, IPv6 and packet-socket senders' batches: {@code slots} packet
 * buffers of {@code slotBytes}, and for each slot an mmsghdr naming one iovec and one address
 * ({@code addressBytes} of sockaddr), all wired once so nothing is allocated per packet. A sender's batch
 * writes each slot's address fields itself ({@link #addressOffset}) and each packet's length. Fill slots
 * through {@link #buffer()} at {@link #slotOffset}.
 */
abstract class MessageBatch {
    final int slots;
    final int slotBytes;
    final NativeBuffer packets;
    final NativeBuffer headers;
    private final int iovecs;
    private final int addresses;
    private final int addressBytes;

    /**
     * {@code minSlotBytes}: the least a slot must hold ({@code slotHolds} says what, for the message);
     * {@code skipBytes}: how far into each slot the bytes handed to the kernel start (a header it builds itself).
     */
    MessageBatch(int slots, int slotBytes, int minSlotBytes, String slotHolds, int addressBytes, int skipBytes) {
        if (slots < 1 || slotBytes < Math.max(1, minSlotBytes)) {
            throw new IllegalArgumentException("a batch needs at least 1 slot of at least " + Math.max(1, minSlotBytes)
                    + " bytes (" + slotHolds + "), not " + slots + " of " + slotBytes);
        }
        this.slots = slots;
        this.slotBytes = slotBytes;
        this.addressBytes = addressBytes;
        this.packets = NativeBuffer.allocate(slots * slotBytes);
        this.iovecs = slots * Structs.Mmsghdr.SIZE;
        this.addresses = iovecs + slots * Structs.Iovec.SIZE;
        this.headers = NativeBuffer.allocate(addresses + slots * addressBytes);
        ByteBuffer h = headers.buffer();
        for (int i = 0; i < slots; i++) {
            int msg = i * Structs.Mmsghdr.SIZE + Structs.Mmsghdr.MSG_HDR;
            int iov = iovecs + i * Structs.Iovec.SIZE;
            h.putLong(iov + Structs.Iovec.IOV_BASE, packets.address(i * slotBytes + skipBytes));
            h.putLong(iov + Structs.Iovec.IOV_LEN, 0);
            h.putLong(msg + Structs.Msghdr.MSG_NAME, headers.address(addressOffset(i)));
            h.putInt(msg + Structs.Msghdr.MSG_NAMELEN, addressBytes);
            h.putLong(msg + Structs.Msghdr.MSG_IOV, headers.address(iov));
            h.putLong(msg + Structs.Msghdr.MSG_IOVLEN, 1);
        }
    }

    public final int slots() {
        return slots;
    }

    /** The memory all slots share; slot i starts at {@link #slotOffset(int)}. */
    public final NativeBuffer buffer() {
        return packets;
    }

    public final int slotOffset(int slot) {
        return slot * slotBytes;
    }

    public final int slotBytes() {
        return slotBytes;
    }

    /** Where slot {@code slot}'s sockaddr starts in {@link #headers}. */
    final int addressOffset(int slot) {
        return addresses + slot * addressBytes;
    }

    /** The bytes of slot {@code slot} the kernel takes (after the skipped part). */
    final void length(int slot, long bytes) {
        headers.buffer().putLong(iovecs + slot * Structs.Iovec.SIZE + Structs.Iovec.IOV_LEN, bytes);
    }

    /**
     * Sends slots {@code from} to {@code to}-1 by sendmmsg until all went or a call fails, and returns the
     * slot reached. A failure after slots went (now or in an earlier run) ends early with the slot reached:
     * the next call meets the error again; a failure before any went is thrown, {@code detail} in the message.
     */
    final int sendSlots(LibC libc, int fd, int from, int to, String detail) throws ErrnoException {
        int sent = from;
        while (sent < to) {
            int rc = libc.sendmmsg(fd, headers.address(sent * Structs.Mmsghdr.SIZE), to - sent, 0);
            if (rc < 0) {
                int errno = Syscall.errno();
                if (Syscall.interrupted(errno)) {
                    continue;
                }
                if (sent > 0) {
                    return sent;
                }
                throw Syscall.failure("sendmmsg", errno, detail);
            }
            sent += rc;
        }
        return sent;
    }
}
