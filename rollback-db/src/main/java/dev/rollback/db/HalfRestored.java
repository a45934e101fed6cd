package dev.rollback.db;

/**
 * A restore that failed after it changed the database (dropped objects, loaded part of a dump):
 * {@link DatabaseTarget#restore} puts the set-aside state back before reporting it. Not API.
 */
final class HalfRestored extends Exception {
    private static final long serialVersionUID = 1L;

    HalfRestored(String message, Throwable cause) {
        super(message, cause);
    }
}
