package dev.rollback.spi;

import java.util.Objects;

/**
 * One thing that is wrong, said so that a person can act on it: which target, what was expected,
 * what was found, and what to do.
 *
 * <p>Immutable and thread-safe.
 *
 * @param target the target, step or restore point the problem is about
 * @param expected what should have been there
 * @param found what was there instead
 * @param action what to do about it
 */
public record Problem(String target, String expected, String found, String action) {

    /** Validates that every part is given. */
    public Problem {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(expected, "expected");
        Objects.requireNonNull(found, "found");
        Objects.requireNonNull(action, "action");
    }

    /** Shorthand for {@code new Problem(target, expected, found, action)}. */
    public static Problem of(String target, String expected, String found, String action) {
        return new Problem(target, expected, found, action);
    }

    /** The problem as one sentence: {@code target 'db': expected …, found …; …}. */
    public String message() {
        return "'" + target + "': expected " + expected + ", found " + found + "; " + action;
    }

    @Override
    public String toString() {
        return message();
    }
}
