package dev.rollback.internal.engine;

import dev.rollback.RestorePoint;
import dev.rollback.store.StoreException;
import dev.rollback.host.Host;
import dev.rollback.internal.Files2;
import dev.rollback.spi.Snapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * The note beside an artifact that a restore moved into place ({@code <artifact>.consumed}): which rollback
 * consumed it, and when, so that no later rollback counts on the point's copy and the same rollback, resumed,
 * finds its work done. Stateless; thread-safe.
 */
final class ConsumedNotes {

    private ConsumedNotes() {}

    /** The name of the note that says an artifact was consumed: {@code <artifact>.consumed}, beside it. */
    static Path of(Path artifact) {
        return artifact.resolveSibling(artifact.getFileName() + ".consumed");
    }

    /** The id of the rollback a consumed-artifact note names ({@code "rollback <id> of plan …"}), or null. */
    static String consumer(String note) {
        String[] words = note.strip().split(" ", 3);
        return words.length >= 2 && words[0].equals("rollback") ? words[1] : null;
    }

    /** The note beside an artifact that a rollback consumed, or null when there is none. */
    static String read(Host host, Snapshot snapshot, Path artifact) {
        Path note = of(artifact);
        if (snapshot.location() == null) {
            try {
                return Files.isRegularFile(note, LinkOption.NOFOLLOW_LINKS) ? Files.readString(note).strip() : null;
            } catch (IOException e) {
                throw new StoreException("cannot read " + note + ": " + e.getMessage(), e);
            }
        }
        return host.exists(note) ? new String(host.read(note), java.nio.charset.StandardCharsets.UTF_8).strip() : null;
    }

    /** Records durably, beside the artifact, that a restore is about to move it away. */
    static void mark(Host host, RestorePoint point, Snapshot snapshot, Path artifact, String note) {
        byte[] text = (note + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        if (snapshot.location() == null) {
            try {
                Files2.writeAtomically(of(artifact), text);
            } catch (IOException e) {
                throw new StoreException("cannot record in " + of(artifact) + " that restore point "
                        + point.id() + " is consumed: " + e.getMessage() + "; nothing was moved", e);
            }
        } else {
            host.write(of(artifact), text, 0600);
        }
    }
}
