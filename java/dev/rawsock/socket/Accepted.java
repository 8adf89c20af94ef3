package dev.rawsock.socket;

import java.net.InetSocketAddress;

/** What accept(2) returns: the new connected socket and the peer's address. */
public record Accepted(Socket socket, InetSocketAddress peer) {}
