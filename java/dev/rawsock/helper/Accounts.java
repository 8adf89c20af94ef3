package dev.rawsock.helper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Users and groups by name or number, from /etc/passwd and /etc/group (passwd(5), group(5)): enough to
 * resolve --allow-uid/--allow-group/--socket-group names and to ask whether a peer's uid is a listed
 * member of a group (SO_PEERCRED gives only the primary gid).
 */
public final class Accounts {
    private Accounts() {}

    private static final Path PASSWD = Path.of("/etc/passwd");
    private static final Path GROUP = Path.of("/etc/group");

    static int uid(String nameOrNumber) {
        return id(PASSWD, nameOrNumber, "user");
    }

    /** A group's id from its name or number; IllegalArgumentException names what was not found. */
    public static int gid(String nameOrNumber) {
        return id(GROUP, nameOrNumber, "group");
    }

    private static int id(Path file, String nameOrNumber, String what) {
        String t = nameOrNumber.trim();
        if (!t.isEmpty() && t.chars().allMatch(Character::isDigit)) {
            try {
                return Integer.parseInt(t);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(what + " id " + t + " is too large");
            }
        }
        for (String[] f : entries(file)) {
            if (f[0].equals(t)) {
                return Integer.parseInt(f[2]);
            }
        }
        throw new IllegalArgumentException("no " + what + " named '" + t + "' in " + file);
    }

    /** True when the user with {@code uid} is listed as a member of group {@code gid}. */
    static boolean listedMember(int uid, int gid) {
        String user = null;
        for (String[] f : entries(PASSWD)) {
            if (f[2].equals(Integer.toString(uid))) {
                user = f[0];
                break;
            }
        }
        if (user == null) {
            return false;
        }
        for (String[] f : entries(GROUP)) {
            if (f[2].equals(Integer.toString(gid)) && f.length > 3) {
                for (String member : f[3].split(",")) {
                    if (member.equals(user)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private static List<String[]> entries(Path file) {
        try {
            return Files.readAllLines(file).stream().filter(l -> !l.isBlank() && !l.startsWith("#"))
                    .map(l -> l.split(":", -1)).filter(f -> f.length >= 3 && f[2].chars().allMatch(Character::isDigit) && !f[2].isEmpty())
                    .toList();
        } catch (IOException e) {
            return List.of();
        }
    }
}
