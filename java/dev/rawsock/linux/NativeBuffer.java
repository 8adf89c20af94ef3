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
    private final Pointer pointer;
    private final long address;

    private NativeBuffer(ByteBuffer buffer) {
        this.buffer = buffer;
        this.pointer = Pointer.wrap(Linux.runtime(), buffer);
        this.address = pointer.address();
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

    /** The start as a jnr Pointer, for the few {@link LibC} calls that take one. */
    public Pointer pointer() {
        return pointer;
    }

    /** A jnr Pointer to byte {@code offset}; allocates, so hot paths keep the result. */
    public Pointer pointer(int offset) {
        return offset == 0 ? pointer : Pointer.wrap(Linux.runtime(), address + offset);
    }

    /** A jnr Pointer to any address (e.g. inside a caller's direct buffer). */
    public static Pointer pointerTo(long address) {
        return Pointer.wrap(Linux.runtime(), address);
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
