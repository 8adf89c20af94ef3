package dev.rawsock.socket;

import dev.rawsock.linux.Constants;

/** Which side shutdown(2) closes: READ (SHUT_RD), WRITE (SHUT_WR, sends FIN) or BOTH (SHUT_RDWR). */
public enum Shutdown {
    READ(Constants.SHUT_RD, "SHUT_RD"),
    WRITE(Constants.SHUT_WR, "SHUT_WR"),
    BOTH(Constants.SHUT_RDWR, "SHUT_RDWR");

    public final int how;
    public final String cName;

    Shutdown(int how, String cName) {
        this.how = how;
        this.cName = cName;
    }
}
