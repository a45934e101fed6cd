package dev.rollback.store;

import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Who holds, or wants, a plan's lock: the user and machine, the process, what it runs and since when. A refused
 * rollback names the holder with it; the plan's history records it.
 *
 * @param user the operating-system user ({@code user.name})
 * @param machine the machine's name
 * @param pid the process id on that machine
 * @param doing what the holder runs ({@code rollback r-20240115-0931 to point p-7})
 * @param since when it took the lock
 */
public record LockOwner(String user, String machine, long pid, String doing, Instant since) {

    /** Checks the fields: none null or blank. */
    public LockOwner {
        requireText(user, "user");
        requireText(machine, "machine");
        requireText(doing, "doing");
        Objects.requireNonNull(since, "since");
    }

    /**
     * This process as an owner, now.
     *
     * @param doing what it is about to run
     * @return the owner
     */
    public static LockOwner me(String doing) {
        return me(doing, Clock.systemUTC());
    }

    /**
     * This process as an owner, at the clock's now.
     *
     * @param doing what it is about to run
     * @param clock the plan's clock
     * @return the owner
     */
    public static LockOwner me(String doing, Clock clock) {
        return new LockOwner(System.getProperty("user.name", "unknown"), dev.rollback.internal.LocalMachine.name(), ProcessHandle.current().pid(),
                doing, clock.instant());
    }

    /** {@code process 4242 on bastion-2 (user ops, rollback r-1 to point p-7, since 2024-01-15T09:31:00Z)}. */
    public String describe() {
        return "process " + pid + " on " + machine + " (user " + user + ", " + doing + ", since " + since + ")";
    }

    /** The owner as text fields, as stores record it. */
    public Map<String, String> toFields() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("user", user);
        m.put("machine", machine);
        m.put("pid", Long.toString(pid));
        m.put("doing", doing);
        m.put("since", since.toString());
        return m;
    }

    /**
     * The owner recorded as {@link #toFields()}.
     *
     * @throws IllegalArgumentException naming the field that is missing or wrong
     */
    public static LockOwner fromFields(Map<String, String> m) {
        try {
            return new LockOwner(m.get("user"), m.get("machine"), Long.parseLong(m.getOrDefault("pid", "")),
                    m.get("doing"), Instant.parse(m.getOrDefault("since", "")));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("lock owner: expected user, machine, pid, doing and since, found "
                    + m + " (" + e.getMessage() + "); the owner note is damaged: look at who runs what on the store", e);
        }
    }

    private static void requireText(String s, String what) {
        if (s == null || s.isBlank()) {
            throw new IllegalArgumentException("lock owner: expected a " + what + ", found "
                    + (s == null ? "null" : "a blank text"));
        }
    }
}
