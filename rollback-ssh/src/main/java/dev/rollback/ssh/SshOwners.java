package dev.rollback.ssh;

import dev.rollback.host.Command;
import dev.rollback.host.CommandResult;
import java.util.HashMap;
import java.util.Map;

/**
 * Who owns what on the server of an {@link SshHost}: the names of user and group ids (from the
 * server's {@code getent}, asked once per id and kept), and whether the login can change owners
 * (it is root; asked once and kept).
 *
 * <p>Thread-safe: the names are looked up and kept under one lock; the root flag is volatile (two
 * threads may both ask the server once, with the same answer).
 */
final class SshOwners {

    private final SshCommands commands;
    private volatile Boolean root;
    private final Map<Integer, String> users = new HashMap<>(); // guarded by itself
    private final Map<Integer, String> groups = new HashMap<>(); // guarded by users

    SshOwners(SshCommands commands) {
        this.commands = commands;
    }

    /** Whether the login is root on the server; see {@link SshHost#canChangeOwners}. */
    boolean canChangeOwners() {
        Boolean r = root;
        if (r == null) {
            CommandResult id = commands.run(Command.of("id", "-u")).requireSuccess();
            r = id.stdout().strip().equals("0");
            root = r;
        }
        return r;
    }

    String userName(int uid) {
        return names(uid, users, "passwd");
    }

    String groupName(int gid) {
        return names(gid, groups, "group");
    }

    /** The name of a user or group id, from the server's {@code getent}; the number if it has no name. */
    private String names(int id, Map<Integer, String> cache, String database) {
        synchronized (users) {
            String known = cache.get(id);
            if (known != null) {
                return known;
            }
            CommandResult r = commands.run(Command.of("getent", database, Integer.toString(id)));
            String[] fields = r.stdout().strip().split(":");
            String found = r.succeeded() && fields.length > 2 ? fields[0] : Integer.toString(id);
            cache.put(id, found);
            return found;
        }
    }
}
