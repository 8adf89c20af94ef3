package dev.rawsock.linux;

import jnr.ffi.Pointer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Long-lived direct memory with its address, for passing to {@link LibC}. Allocate once and reuse: the
 * send and receive paths must not allocate per packet. The buffer is in native byte order, as C structs
 * are; network-order fields are swapped by the code that writes them.
 */
public final class NativeBuffer {
    private final ByteBuffer buffer;
    private final long address;

    private NativeBuffer(ByteBuffer buffer) {
        this.buffer = buffer;
        this.address = Pointer.wrap(Linux.runtime(), buffer).address();
    }

    public static NativeBuffer allocate(int capacityBytes) {
        return new NativeBuffer(ByteBuffer.allocateDirect(capacityBytes).order(ByteOrder.nativeOrder()));
    }

    /** The buffer; absolute get/put with offsets is the intended use (its position is not relied on). */
    public ByteBuffer buffer() {
        return buffer;
    }

    public long address() {
        return address;
    }

    /** The address of byte {@code offset}. */
    public long address(int offset) {
        return address + offset;
    }

    public int capacity() {
        return buffer.capacity();
    }

    /** The address of a direct buffer someone else owns (position not included). */
    public static long addressOf(ByteBuffer direct) {
        if (!direct.isDirect()) {
            throw new IllegalArgumentException("not a direct buffer");
        }
        return Pointer.wrap(Linux.runtime(), direct).address();
    }
}
