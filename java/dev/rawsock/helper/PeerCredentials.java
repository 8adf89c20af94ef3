package dev.rawsock.helper;

import jnr.unixsocket.Credentials;
import jnr.unixsocket.UnixSocketChannel;
import jnr.unixsocket.UnixSocketOptions;

import java.io.IOException;

/**
 * Who is at the other end of a Unix socket, as the kernel recorded it at connect(2): SO_PEERCRED's uid,
 * gid and pid (unix(7)). The client cannot choose these, which is why the helper trusts nothing else.
 */
public record PeerCredentials(int uid, int gid, int pid) {
    public static PeerCredentials of(UnixSocketChannel channel) throws IOException {
        Credentials c = channel.getOption(UnixSocketOptions.SO_PEERCRED);
        if (c == null) {
            throw new IOException("getsockopt(SO_PEERCRED) gave no credentials");
        }
        return new PeerCredentials(c.getUid(), c.getGid(), c.getPid());
    }

    @Override
    public String toString() {
        return "uid=" + uid + " gid=" + gid + " pid=" + pid;
    }
}
