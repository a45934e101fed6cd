package dev.rollback.store;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The rules every {@link StoreBackend} applies the same way, for store authors: the key rule, the lock-name rule,
 * the reason a lock break needs, and the words of a refusal because someone holds a plan's lock. Stateless and
 * thread-safe.
 */
public final class StoreRules {

    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9._-]{1,128}");

    private StoreRules() {}

    /**
     * Checks a key: segments separated by {@code /}, each 1 to 128 letters, digits, {@code .}, {@code _} or
     * {@code -}, not starting with {@code .}.
     *
     * @return the key
     * @throws IllegalArgumentException naming what was expected and found
     */
    public static String requireKey(String key) {
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("store key: expected segments separated by '/', such as "
                    + "'points/p-1/manifest.json', found " + (key == null ? "null" : "an empty key"));
        }
        for (String s : key.split("/", -1)) {
            requireSegment(s, "store key '" + key + "'");
        }
        return key;
    }

    /**
     * Checks a lock name: one segment of the key rule.
     *
     * @return the name
     * @throws IllegalArgumentException naming what was expected and found
     */
    public static String requireLockName(String name) {
        return requireSegment(name, "lock name");
    }

    /**
     * Checks the reason given to break a lock: not blank.
     *
     * @param why the reason
     * @param name the lock's name
     * @param store the store's {@link StoreBackend#describe()}
     * @return the reason
     * @throws IllegalArgumentException if there is none
     */
    public static String requireReason(String why, String name, String store) {
        if (why == null || why.isBlank()) {
            throw new IllegalArgumentException("lock of '" + name + "' in store " + store + ": expected a "
                    + "reason to break it, found none; say why, it goes into the plan's history");
        }
        return why;
    }

    /**
     * The message of a refusal because {@code holder} holds the lock of plan {@code name}.
     *
     * @param name the plan
     * @param store the store's {@link StoreBackend#describe()}
     * @param holder who holds it, if its owner note could be read
     * @return the message, naming the holder and how to take the lock over deliberately
     */
    public static String heldMessage(String name, String store, Optional<LockOwner> holder) {
        return "plan '" + name + "': expected no capture, rollback or deletion of the plan running, found one held by "
                + holder.map(LockOwner::describe).orElse("another process (its owner note is not written yet)")
                + " in store " + store + "; wait for it to finish, or if that holder is gone and cannot give the "
                + "lock back, take it over with plan.breakLock(why)";
    }

    private static String requireSegment(String s, String what) {
        if (s == null || !SEGMENT.matcher(s).matches() || s.startsWith(".")) {
            throw new IllegalArgumentException(what + ": expected 1 to 128 letters, digits, '.', '_' or '-' per "
                    + "segment, not starting with '.', found " + (s == null ? "null" : "'" + s + "'")
                    + "; use names such as 'gestima' or 'manifest.json'");
        }
        return s;
    }
}
