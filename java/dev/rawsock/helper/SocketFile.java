package dev.rawsock.helper;

import jnr.unixsocket.UnixServerSocketChannel;
import jnr.unixsocket.UnixSocketAddress;
import jnr.unixsocket.UnixSocketChannel;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * The helper's listening socket and its file. A path beginning with '@' names a Linux abstract socket
 * (unix(7): no file, no permissions: SO_PEERCRED alone decides); any other path is a file, created without
 * a moment of wider permissions than asked: the socket is bound inside a fresh 0700 directory beside the
 * target, given its mode and group there, then renamed onto the path (rename(2) is atomic and replaces a
 * stale socket file). A path where a live helper answers, or that holds something other than a socket, is
 * refused. {@link #close()} removes the file, if it is still ours.
 */
public final class SocketFile implements AutoCloseable {
    private final String path;
    private final UnixServerSocketChannel channel;
    private final Object fileKey;

    private SocketFile(String path, UnixServerSocketChannel channel, Object fileKey) {
        this.path = path;
        this.channel = channel;
        this.fileKey = fileKey;
    }

    /** The address to connect or bind to: '@name' becomes the abstract name "\0name". */
    public static UnixSocketAddress address(String path) {
        return new UnixSocketAddress(isAbstract(path) ? "\0" + path.substring(1) : path);
    }

    public static boolean isAbstract(String path) {
        return path.startsWith("@");
    }

    /**
     * Binds and listens at {@code path}; the file gets {@code mode} (e.g. "rw-rw----") and, when
     * {@code gid} is not null, that group. IOException says why not (a live helper there, not a socket, ...).
     */
    public static SocketFile listen(String path, String mode, Integer gid) throws IOException {
        if (path.isEmpty() || path.equals("@")) {
            throw new IllegalArgumentException("the socket path is empty");
        }
        if (answers(path)) {
            throw new FileAlreadyExistsException(path, null, "a helper already answers there: stop it first, or choose another path");
        }
        UnixServerSocketChannel channel = UnixServerSocketChannel.open();
        try {
            if (isAbstract(path)) {
                channel.socket().bind(address(path), 64);
                return new SocketFile(path, channel, null);
            }
            Path target = Path.of(path).toAbsolutePath();
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS) && !isSocket(target)) {
                throw new FileAlreadyExistsException(path, null, "it exists and is not a socket: remove it or choose another path");
            }
            Path parent = target.getParent();
            Path staging = Files.createTempDirectory(parent, ".rawsock-helper-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            try {
                Path bound = staging.resolve("s");
                channel.socket().bind(new UnixSocketAddress(bound.toString()), 64);
                if (gid != null) {
                    Files.setAttribute(bound, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
                }
                Set<PosixFilePermission> perms = PosixFilePermissions.fromString(mode);
                Files.setPosixFilePermissions(bound, perms);
                Object key = Files.readAttributes(bound, java.nio.file.attribute.BasicFileAttributes.class,
                        LinkOption.NOFOLLOW_LINKS).fileKey();
                Files.move(bound, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                return new SocketFile(path, channel, key);
            } finally {
                Files.deleteIfExists(staging.resolve("s"));
                Files.deleteIfExists(staging);
            }
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private static boolean isSocket(Path p) throws IOException {
        int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        return (mode & 0xF000) == 0xC000; // S_IFSOCK, inode(7)
    }

    /** True when something accepts connections at {@code path} now. */
    public static boolean answers(String path) {
        if (!isAbstract(path) && !Files.exists(Path.of(path), LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        try (UnixSocketChannel c = UnixSocketChannel.open(address(path))) {
            return c.isConnected();
        } catch (IOException e) {
            return false;
        }
    }

    public UnixServerSocketChannel channel() {
        return channel;
    }

    public String path() {
        return path;
    }

    /** Closes the socket and removes its file, unless another file has taken its place meanwhile. */
    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing to do about a failed close of a listening socket
        }
        if (fileKey == null) {
            return;
        }
        Path target = Path.of(path);
        try {
            Object key = Files.readAttributes(target, java.nio.file.attribute.BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS).fileKey();
            if (fileKey.equals(key)) {
                Files.deleteIfExists(target);
            }
        } catch (IOException ignored) {
            // already gone
        }
    }
}
