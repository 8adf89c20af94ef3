package dev.rawsock.craft;

/**
 * What assembly fills in for fields left automatic (gopacket's SerializeOptions): lengths (IHL, total
 * length, TCP data offset, UDP length) and checksums, each switchable. Fields given explicitly are always
 * written as given, right or wrong.
 */
public record EmitOptions(boolean fixLengths, boolean computeChecksums) {
    public static final EmitOptions DEFAULT = new EmitOptions(true, true);
}
