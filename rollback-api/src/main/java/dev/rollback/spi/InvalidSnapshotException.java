package dev.rollback.spi;

import dev.rollback.error.RollbackException;

/**
 * A snapshot read from a restore point holds a field that its target cannot use: missing, of the
 * wrong type, out of range, or a path outside its folder. Raised before anything changes (a
 * target's preflight reads every field through {@link dev.rollback.spi.SnapshotFields}).
 */
public class InvalidSnapshotException extends RollbackException {

    private static final long serialVersionUID = 1L;

    private final String field;
    private final String found;

    /** An exception about {@code field} of the snapshot of {@code target}, whose value was {@code found}. */
    public InvalidSnapshotException(String message, String target, String field, String found) {
        super(message, null, target, null);
        this.field = field;
        this.found = found;
    }

    /** The snapshot field that is wrong. */
    public String field() {
        return field;
    }

    /** The value found, or {@code null} if there was none. */
    public String found() {
        return found;
    }
}
