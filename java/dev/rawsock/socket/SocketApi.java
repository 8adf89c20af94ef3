package dev.rawsock.socket;

import dev.rawsock.linux.Constants;
import dev.rawsock.linux.Errno;
import dev.rawsock.linux.ErrnoException;
import dev.rawsock.linux.LibC;
import dev.rawsock.linux.Linux;
import dev.rawsock.linux.NativeBuffer;
import dev.rawsock.linux.Structs;
import dev.rawsock.linux.Syscall;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * The socket API table, one method per row and named as in it: {@code socket}, {@code bind},
 * {@code connect}, {@code listen}, {@code accept}, {@code read}, {@code write}, {@code close},
 * {@code shutdown}, {@code getsockopt}, {@code setsockopt}; plus {@code getsockname},
 * {@code getpeername}, {@code sendto}, {@code recvfrom} and {@code poll}. Each method is one system
 * call on the real kernel; a failure is an {@link ErrnoException} naming the call and the errno.
 *
 * <pre>{@code
 * SocketApi api = SocketApi.traced(System.out::println);
 * Socket s = api.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);   // socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = 3
 * api.connect(s, new InetSocketAddress("127.0.0.1", 8080));   // connect(3, {127.0.0.1:8080}, 16) = 0
 * }</pre>
 *
 * <p>With a {@link CallTrace}, every call is reported as a line of C; without one nothing is formatted.
 * The API keeps no mutable state of its own (scratch memory belongs to each {@link Socket}), so one
 * instance may be shared by threads.
 */
public final class SocketApi {
    private final LibC libc;
    private final CallTrace trace;

    private SocketApi(CallTrace trace) {
        this.libc = Linux.libc();
        this.trace = trace;
    }

    /** The API without a trace. */
    public static SocketApi create() {
        return new SocketApi(null);
    }

    /** The API reporting every call to {@code trace}. */
    public static SocketApi traced(CallTrace trace) {
        return new SocketApi(trace);
    }

    // ---- socket ----

    /** {@code s = socket(domain, type, protocol)}: a new, unconnected, anonymous socket. */
    public Socket socket(Domain domain, SocketType type, Protocol protocol) throws ErrnoException {
        return open(domain, type.value, protocol.socketArgument(), protocol.cText());
    }

    /** socket(2) with a protocol number as the kernel receives it (0 picks the family's default). */
    public Socket socket(Domain domain, SocketType type, int protocol) throws ErrnoException {
        Protocol known = domain == Domain.AF_PACKET ? null : Protocol.ofIp(protocol);
        return open(domain, type.value, protocol, known != null ? known.cText() : Integer.toString(protocol));
    }

    private Socket open(Domain domain, int type, int protocol, String protocolText) throws ErrnoException {
        int fd = libc.socket(domain.value, type, protocol);
        int errno = fd < 0 ? Syscall.errno() : 0;
        if (trace != null) {
            SocketType t = SocketType.of(type);
            trace.call("socket(" + domain + ", " + (t != null ? t.name() : Integer.toString(type)) + ", "
                    + protocolText + ")" + TraceFormat.result(fd, errno));
        }
        if (fd < 0) {
            throw Syscall.failure("socket", errno, null);
        }
        return new Socket(this, fd, domain, SocketType.of(type), protocol);
    }

    // ---- bind, connect, listen, accept ----

    /** {@code bind(s, local)}: give the socket a local address and port (port 0: the kernel picks one). */
    public void bind(Socket s, InetSocketAddress local) throws ErrnoException {
        addressCall("bind", s, local);
    }

    /** {@code connect(s, remote)}: for TCP, open the connection (SYN, SYN-ACK, ACK) and wait for it. */
    public void connect(Socket s, InetSocketAddress remote) throws ErrnoException {
        addressCall("connect", s, remote);
    }

    private void addressCall(String call, Socket s, InetSocketAddress address) throws ErrnoException {
        int fd = s.fdFor(call);
        synchronized (s.controlLock()) {
            NativeBuffer control = s.control();
            int length = Sockaddrs.write(control.buffer(), 0, address);
            int rc;
            int errno = 0;
            if (call.equals("bind")) {
                rc = libc.bind(fd, control.address(), length);
            } else {
                // connect is not restarted after EINTR (POSIX): the attempt goes on, and a retry says EALREADY.
                rc = libc.connect(fd, control.address(), length);
            }
            if (rc < 0) {
                errno = Syscall.errno();
            }
            if (trace != null) {
                trace.call(call + "(" + fd + ", {" + Sockaddrs.text(address) + "}, " + length + ")"
                        + TraceFormat.result(rc, errno));
            }
            if (rc < 0) {
                throw Syscall.failure(call, errno, Sockaddrs.text(address));
            }
        }
    }

    /** {@code listen(s, backlog)}: accept connections on the socket, queueing up to {@code backlog}. */
    public void listen(Socket s, int backlog) throws ErrnoException {
        int fd = s.fdFor("listen");
        int rc = libc.listen(fd, backlog);
        int errno = rc < 0 ? Syscall.errno() : 0;
        if (trace != null) {
            trace.call("listen(" + fd + ", " + backlog + ")" + TraceFormat.result(rc, errno));
        }
        if (rc < 0) {
            throw Syscall.failure("listen", errno, null);
        }
    }

    /** {@code s2 = accept(s)}: wait for a connection and return a new socket for it, with the peer's address. */
    public Accepted accept(Socket s) throws ErrnoException {
        int fd = s.fdFor("accept");
        synchronized (s.readLock()) {
            NativeBuffer scratch = s.readScratch(0);
            ByteBuffer b = scratch.buffer();
            int cell = Structs.SockaddrStorage.SIZE;
            int rc;
            int errno = 0;
            do {
                b.putInt(cell, Structs.SockaddrStorage.SIZE);
                rc = libc.accept4(fd, scratch.address(), scratch.address(cell), 0);
            } while (rc < 0 && Syscall.interrupted(errno = Syscall.errno()));
            InetSocketAddress peer = rc >= 0 ? Sockaddrs.read(b, 0, b.getInt(cell)) : null;
            if (trace != null) {
                // A failed accept wrote no address: "{}", as for getsockname and recvfrom.
                trace.call("accept(" + fd + ", {" + (rc >= 0 ? Sockaddrs.text(peer) : "") + "})" + TraceFormat.result(rc, errno));
            }
            if (rc < 0) {
                throw Syscall.failure("accept", errno, null);
            }
            return new Accepted(new Socket(this, rc, s.domain(), s.type(), 0), peer);
        }
    }

    // ---- read, write ----

    /** {@code n = read(s, buffer, n)}: read up to {@code n} bytes into {@code buffer}; 0 means end of stream. */
    public int read(Socket s, byte[] buffer, int n) throws ErrnoException {
        return read(s, buffer, 0, n);
    }

    /** read(2) into {@code buffer[offset, offset + n)}. */
    public int read(Socket s, byte[] buffer, int offset, int n) throws ErrnoException {
        checkRange(buffer.length, offset, n);
        int fd = s.fdFor("read");
        synchronized (s.readLock()) {
            NativeBuffer scratch = s.readScratch(n);
            int count = Math.min(n, scratch.capacity());
            long rc;
            int errno = 0;
            while ((rc = libc.read(fd, scratch.address(), count)) < 0 && Syscall.interrupted(errno = Syscall.errno())) {
                // interrupted by a signal before any data: read again (read(2))
            }
            if (rc > 0) {
                scratch.buffer().get(0, buffer, offset, (int) rc);
            }
            if (trace != null) {
                trace.call("read(" + fd + ", " + (rc >= 0 ? TraceFormat.bytes(buffer, offset, (int) rc) : "0x...")
                        + ", " + n + ")" + TraceFormat.result(rc, errno));
            }
            if (rc < 0) {
                throw Syscall.failure("read", errno, null);
            }
            return (int) rc;
        }
    }

    /** read(2) into the buffer's remaining space; advances its position. Direct buffers are read into in place. */
    public int read(Socket s, ByteBuffer buffer) throws ErrnoException {
        int fd = s.fdFor("read");
        int n = buffer.remaining();
        int position = buffer.position();
        synchronized (s.readLock()) {
            long target;
            NativeBuffer scratch = null;
            int count = n;
            if (buffer.isDirect()) {
                target = NativeBuffer.addressOf(buffer) + position;
            } else {
                scratch = s.readScratch(n);
                count = Math.min(n, scratch.capacity());
                target = scratch.address();
            }
            long rc;
            int errno = 0;
            while ((rc = libc.read(fd, target, count)) < 0 && Syscall.interrupted(errno = Syscall.errno())) {
                // read again after EINTR
            }
            if (rc > 0) {
                if (scratch != null) {
                    buffer.put(position, scratch.buffer(), 0, (int) rc);
                }
                buffer.position(position + (int) rc);
            }
            if (trace != null) {
                trace.call("read(" + fd + ", " + (rc >= 0 ? TraceFormat.bytes(buffer, position, (int) rc) : "0x...")
                        + ", " + n + ")" + TraceFormat.result(rc, errno));
            }
            if (rc < 0) {
                throw Syscall.failure("read", errno, null);
            }
            return (int) rc;
        }
    }

    /** {@code n = write(s, buffer, n)}: write up to {@code n} bytes; returns how many the kernel took. */
    public int write(Socket s, byte[] buffer, int n) throws ErrnoException {
        return write(s, buffer, 0, n);
    }

    /** write(2) from {@code buffer[offset, offset + n)}. */
    public int write(Socket s, byte[] buffer, int offset, int n) throws ErrnoException {
        checkRange(buffer.length, offset, n);
        int fd = s.fdFor("write");
        synchronized (s.writeLock()) {
            NativeBuffer scratch = s.writeScratch(n);
            int count = Math.min(n, scratch.capacity());
            scratch.buffer().put(0, buffer, offset, count);
            long rc;
            int errno = 0;
            while ((rc = libc.write(fd, scratch.address(), count)) < 0 && Syscall.interrupted(errno = Syscall.errno())) {
                // write again after EINTR
            }
            if (trace != null) {
                trace.call("write(" + fd + ", " + TraceFormat.bytes(buffer, offset, n) + ", " + n + ")"
                        + TraceFormat.result(rc, errno));
            }
            if (rc < 0) {
                throw Syscall.failure("write", errno, null);
            }
            return (int) rc;
        }
    }

    /** write(2) from the buffer's remaining bytes; advances its position by what was written. */
    public int write(Socket s, ByteBuffer buffer) throws ErrnoException {
        int fd = s.fdFor("write");
        int n = buffer.remaining();
        int position = buffer.position();
        synchronized (s.writeLock()) {
            long source;
            int count = n;
            if (buffer.isDirect()) {
                source = NativeBuffer.addressOf(buffer) + position;
            } else {
                NativeBuffer scratch = s.writeScratch(n);
                count = Math.min(n, scratch.capacity());
                scratch.buffer().put(0, buffer, position, count);
                source = scratch.address();
            }
            long rc;
            int errno = 0;
            while ((rc = libc.write(fd, source, count)) < 0 && Syscall.interrupted(errno = Syscall.errno())) {
                // write again after EINTR
            }
            if (trace != null) {
                trace.call("write(" + fd + ", " + TraceFormat.bytes(buffer, position, n) + ", " + n + ")"
                        + TraceFormat.result(rc, errno));
            }
            if (rc < 0) {
                throw Syscall.failure("write", errno, null);
            }
            buffer.position(position + (int) rc);
            return (int) rc;
        }
    }

    private static void checkRange(int length, int offset, int n) {
        if (offset < 0 || n < 0 || offset > length - n) {
            throw new IndexOutOfBoundsException("offset " + offset + " and count " + n + " outside a buffer of " + length);
        }
    }

    // ---- close, shutdown ----

    /**
     * {@code close(s)}: release the descriptor; for TCP, the connection is torn down (FIN, or RST when
     * unread data is left). Idempotent: closing a closed socket does nothing. Never retried: Linux
     * releases the descriptor even when close reports EINTR.
     */
    public void close(Socket s) throws ErrnoException {
        if (!s.markClosed()) {
            return;
        }
        int rc = libc.close(s.fd());
        int errno = rc < 0 ? Syscall.errno() : 0;
        if (trace != null) {
            trace.call("close(" + s.fd() + ")" + TraceFormat.result(rc, errno));
        }
        if (rc < 0 && errno != Errno.EINTR.number) {
            throw Syscall.failure("close", errno, null);
        }
    }

    /** {@code shutdown(s, side)}: close only the input (READ), the output (WRITE: sends FIN) or BOTH. */
    public void shutdown(Socket s, Shutdown side) throws ErrnoException {
        int fd = s.fdFor("shutdown");
        int rc = libc.shutdown(fd, side.how);
        int errno = rc < 0 ? Syscall.errno() : 0;
        if (trace != null) {
            trace.call("shutdown(" + fd + ", " + side.cName + ")" + TraceFormat.result(rc, errno));
        }
        if (rc < 0) {
            throw Syscall.failure("shutdown", errno, null);
        }
    }

    // ---- getsockopt, setsockopt ----

    /** {@code getsockopt(s, level, name)}, typed: read an internal socket option. */
    public <T> T getsockopt(Socket s, SocketOption<T> option) throws ErrnoException {
        int fd = s.fdFor("getsockopt");
        SocketOption.Codec<T> codec = option.codec();
        synchronized (s.controlLock()) {
            NativeBuffer control = s.control();
            ByteBuffer b = control.buffer();
            b.putInt(Socket.CONTROL_LENGTH_CELL, codec.sizeBytes());
            int rc = libc.getsockopt(fd, option.level(), option.optname(), control.address(),
                    control.address(Socket.CONTROL_LENGTH_CELL));
            int errno = rc < 0 ? Syscall.errno() : 0;
            T value = rc == 0 ? codec.decode(b, 0, b.getInt(Socket.CONTROL_LENGTH_CELL)) : null;
            if (trace != null) {
                trace.call("getsockopt(" + fd + ", " + SocketOptions.levelName(option.level()) + ", " + option.name()
                        + ", " + (value != null ? codec.traceText(value) : "0x...") + ")" + TraceFormat.result(rc, errno));
            }
            if (rc < 0) {
                throw Syscall.failure("getsockopt " + option.name(), errno, null);
            }
            return value;
        }
    }

    /** {@code setsockopt(s, level, name, value)}, typed: change an internal socket option. */
    public <T> void setsockopt(Socket s, SocketOption<T> option, T value) throws ErrnoException {
        int fd = s.fdFor("setsockopt");
        if (!option.settable()) {
            throw Syscall.failure("setsockopt " + option.name(), Errno.ENOPROTOOPT.number, option.name() + " is read-only");
        }
        SocketOption.Codec<T> codec = option.codec();
        synchronized (s.controlLock()) {
            NativeBuffer control = s.control();
            codec.encode(control.buffer(), 0, value);
            int rc = libc.setsockopt(fd, option.level(), option.optname(), control.address(), codec.sizeBytes());
            int errno = rc < 0 ? Syscall.errno() : 0;
            if (trace != null) {
                trace.call("setsockopt(" + fd + ", " + SocketOptions.levelName(option.level()) + ", " + option.name()
                        + ", " + codec.traceText(value) + ", " + codec.sizeBytes() + ")" + TraceFormat.result(rc, errno));
            }
            if (rc < 0) {
                throw Syscall.failure("setsockopt " + option.name(), errno, null);
            }
        }
    }

    /** getsockopt(2) for any level and name: returns the bytes the kernel wrote (at most {@code maxLength}). */
    public byte[] getsockopt(Socket s, int level, int name, int maxLength) throws ErrnoException {
        int fd = s.fdFor("getsockopt");
        NativeBuffer memory = NativeBuffer.allocate(Math.max(maxLength, 0) + 4);
        ByteBuffer b = memory.buffer();
        b.putInt(maxLength, maxLength);
        int rc = libc.getsockopt(fd, level, name, memory.address(), memory.address(maxLength));
        int errno = rc < 0 ? Syscall.errno() : 0;
        byte[] value = new byte[rc == 0 ? Math.min(b.getInt(maxLength), maxLength) : 0];
        b.get(0, value);
        if (trace != null) {
            trace.call("getsockopt(" + fd + ", " + SocketOptions.levelName(level) + ", " + SocketOptions.optionName(level, name)
                    + ", " + (rc == 0 ? TraceFormat.bytes(value, 0, value.length) : "0x...") + ")" + TraceFormat.result(rc, errno));
        }
        if (rc < 0) {
            throw Syscall.failure("getsockopt", errno, SocketOptions.levelName(level) + "/" + name);
        }
        return value;
    }

    /** setsockopt(2) for any level and name, with the value's bytes as given. */
    public void setsockopt(Socket s, int level, int name, byte[] value) throws ErrnoException {
        int fd = s.fdFor("setsockopt");
        NativeBuffer memory = NativeBuffer.allocate(Math.max(value.length, 1));
        memory.buffer().put(0, value);
        int rc = libc.setsockopt(fd, level, name, memory.address(), value.length);
        int errno = rc < 0 ? Syscall.errno() : 0;
        if (trace != null) {
            trace.call("setsockopt(" + fd + ", " + SocketOptions.levelName(level) + ", " + SocketOptions.optionName(level, name)
                    + ", " + TraceFormat.bytes(value, 0, value.length) + ", " + value.length + ")" + TraceFormat.result(rc, errno));
        }
        if (rc < 0) {
            throw Syscall.failure("setsockopt", errno, SocketOptions.levelName(level) + "/" + name);
        }
    }

    // ---- names ----

    /** getsockname(2): the local address and port of the socket. */
    public InetSocketAddress getsockname(Socket s) throws ErrnoException {
        return nameCall("getsockname", s);
    }

    /** getpeername(2): the remote address and port of a connected socket. */
    public InetSocketAddress getpeername(Socket s) throws ErrnoException {
        return nameCall("getpeername", s);
    }

    private InetSocketAddress nameCall(String call, Socket s) throws ErrnoException {
        int fd = s.fdFor(call);
        synchronized (s.controlLock()) {
            NativeBuffer control = s.control();
            ByteBuffer b = control.buffer();
            b.putInt(Socket.CONTROL_LENGTH_CELL, Structs.SockaddrStorage.SIZE);
            int rc = call.equals("getsockname")
                    ? libc.getsockname(fd, control.address(), control.address(Socket.CONTROL_LENGTH_CELL))
                    : libc.getpeername(fd, control.address(), control.address(Socket.CONTROL_LENGTH_CELL));
            int errno = rc < 0 ? Syscall.errno() : 0;
            InetSocketAddress address = rc == 0 ? Sockaddrs.read(b, 0, b.getInt(Socket.CONTROL_LENGTH_CELL)) : null;
            if (trace != null) {
                trace.call(call + "(" + fd + ", {" + (rc == 0 ? Sockaddrs.text(address) : "") + "})"
                        + TraceFormat.result(rc, errno));
            }
            if (rc < 0) {
                throw Syscall.failure(call, errno, null);
            }
            return address;
        }
    }

    // ---- datagrams, raw packets and waiting ----

    /** sendto(2): send the buffer's remaining bytes to {@code destination}; advances the position. */
    public int sendto(Socket s, ByteBuffer data, InetSocketAddress destination) throws ErrnoException {
        int fd = s.fdFor("sendto");
        int n = data.remaining();
        int position = data.position();
        synchronized (s.writeLock()) {
            jnr.ffi.Pointer source;
            int count = n;
            if (data.isDirect()) {
                source = NativeBuffer.pointerTo(NativeBuffer.addressOf(data) + position);
            } else {
                NativeBuffer scratch = s.writeScratch(n);
                count = Math.min(n, scratch.capacity());
                scratch.buffer().put(0, data, position, count);
                source = scratch.pointer();
            }
            NativeBuffer address = s.sendAddress();
            int addressLength = Sockaddrs.write(address.buffer(), 0, destination);
            long rc = Syscall.sendto(libc, fd, source, count, Constants.MSG_NOSIGNAL, address.pointer(), addressLength);
            int errno = rc < 0 ? (int) -rc : 0;
            if (trace != null) {
                trace.call("sendto(" + fd + ", " + TraceFormat.bytes(data, position, n) + ", " + n + ", MSG_NOSIGNAL, {"
                        + Sockaddrs.text(destination) + "}, " + addressLength + ")" + TraceFormat.result(rc, errno));
            }
            if (rc < 0) {
                throw Syscall.failure("sendto", errno, Sockaddrs.text(destination));
            }
            data.position(position + (int) rc);
            return (int) rc;
        }
    }

    /** What recvfrom(2) returns: the byte count and the sender (null for families without an IP address). */
    public record Received(int bytes, InetSocketAddress source) {}

    /**
     * recvfrom(2) into the buffer's remaining space; advances its position by what was stored. A datagram
     * longer than the space is cut, and {@code bytes} is then the stored length.
     */
    public Received recvfrom(Socket s, ByteBuffer buffer) throws ErrnoException {
        int fd = s.fdFor("recvfrom");
        int n = buffer.remaining();
        int position = buffer.position();
        synchronized (s.readLock()) {
            NativeBuffer scratch = null;
            jnr.ffi.Pointer target;
            int count = n;
            if (buffer.isDirect()) {
                target = NativeBuffer.pointerTo(NativeBuffer.addressOf(buffer) + position);
            } else {
                scratch = s.readScratch(n);
                count = Math.min(n, scratch.capacity());
                target = scratch.pointer();
            }
            NativeBuffer address = s.receiveAddress();
            long rc;
            int errno = 0;
            do {
                address.buffer().putInt(Socket.RECEIVE_LENGTH_CELL, Structs.SockaddrStorage.SIZE);
                rc = libc.recvfrom(fd, target, count, 0, address.pointer(), s.receiveAddressLengthCell());
            } while (rc < 0 && Syscall.interrupted(errno = Syscall.errno()));
            InetSocketAddress source = null;
            if (rc >= 0) {
                if (scratch != null) {
                    buffer.put(position, scratch.buffer(), 0, (int) rc);
                }
                buffer.position(position + (int) rc);
                source = Sockaddrs.read(address.buffer(), 0, address.buffer().getInt(Socket.RECEIVE_LENGTH_CELL));
            }
            if (trace != null) {
                trace.call("recvfrom(" + fd + ", " + (rc >= 0 ? TraceFormat.bytes(buffer, position, (int) rc) : "0x...")
                        + ", " + n + ", 0, {" + (source != null ? Sockaddrs.text(source) : "") + "})" + TraceFormat.result(rc, errno));
            }
            if (rc < 0) {
                throw Syscall.failure("recvfrom", errno, null);
            }
            return new Received((int) rc, source);
        }
    }

    /**
     * poll(2) on one socket: waits up to {@code timeoutMillis} (-1: forever) for {@code events}
     * (POLLIN, POLLOUT); returns the events that happened, 0 on timeout.
     */
    public int poll(Socket s, int events, int timeoutMillis) throws ErrnoException {
        int fd = s.fdFor("poll");
        synchronized (s.readLock()) {
            NativeBuffer scratch = s.readScratch(0);
            ByteBuffer b = scratch.buffer();
            b.putInt(Structs.Pollfd.FD, fd);
            b.putShort(Structs.Pollfd.EVENTS, (short) events);
            b.putShort(Structs.Pollfd.REVENTS, (short) 0);
            // Not restarted after EINTR: the caller's deadline decides whether to wait again.
            int rc = libc.poll(scratch.address(), 1, timeoutMillis);
            int errno = rc < 0 ? Syscall.errno() : 0;
            int revents = rc > 0 ? Short.toUnsignedInt(b.getShort(Structs.Pollfd.REVENTS)) : 0;
            if (trace != null) {
                trace.call("poll([{fd=" + fd + ", events=" + TraceFormat.pollEvents(events) + "}], 1, " + timeoutMillis + ")"
                        + TraceFormat.result(rc, errno)
                        + (rc > 0 ? " ([{fd=" + fd + ", revents=" + TraceFormat.pollEvents(revents) + "}])" : ""));
            }
            if (rc < 0 && errno != Errno.EINTR.number) {
                throw Syscall.failure("poll", errno, null);
            }
            return revents;
        }
    }
}
