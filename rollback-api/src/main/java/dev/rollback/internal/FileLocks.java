package dev.rollback.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;

/**
 * Operating-system locks on files, each with an owner note beside it: the kernel releases such a lock when its
 * holder dies, and the note names the holder to whoever is refused.
 *
 * <p>On Linux a process holds such a lock per file, not per descriptor, and closing <em>any</em> descriptor of the
 * file drops it. So this JVM opens a lock file only here, under one monitor: a lock this JVM holds is known from a
 * table and its file is never opened again until it is released, and a probe ({@link #holder}) opens, tests and
 * closes the file while no lock of this JVM can be taken on it. Thread-safe.
 */
public final class FileLocks {

    private static final Logger LOG = Logs.of(FileLocks.class);

    /** The locks this JVM holds, by lock file; guarded by itself. */
    private static final Map<Path, Held> HELD = new HashMap<>();

    private FileLocks() {}

    /** Who holds a lock that was refused: in this JVM (the owner object given), or elsewhere (its note, if any). */
    public record Holder(Object inThisJvm, Optional<byte[]> note) {}

    /** The refusal of a lock that someone holds. */
    public static final class Busy extends Exception {
        private static final long serialVersionUID = 1L;
        private final transient Holder holder;

        Busy(Holder holder) {
            super(null, null, false, false);
            this.holder = holder;
        }

        /** Who holds it. */
        public Holder holder() {
            return holder;
        }
    }

    /** A lock held by this JVM. */
    public static final class Held implements AutoCloseable {
        private final Path lockFile;
        private final FileChannel channel;
        private final FileLock lock;
        private final Path ownerFile;
        private final Object owner;
        private boolean closed;

        private Held(Path lockFile, FileChannel channel, FileLock lock, Path ownerFile, Object owner) {
            this.lockFile = lockFile;
            this.channel = channel;
            this.lock = lock;
            this.ownerFile = ownerFile;
            this.owner = owner;
        }

        /** The owner object given when it was taken. */
        public Object owner() {
            return owner;
        }

        /** Whether it is still held. */
        public boolean isHeld() {
            synchronized (HELD) {
                return !closed && lock.isValid();
            }
        }

        /**
         * Releases the lock and removes the owner note. The kernel's lock is released even when the note cannot be
         * removed (a stale note names a process that holds nothing, and is overwritten by the next holder).
         */
        @Override
        public void close() {
            synchronized (HELD) {
                if (closed) {
                    return;
                }
                closed = true;
                try {
                    Files.deleteIfExists(ownerFile);
                } catch (IOException e) {
                    LOG.warn("cannot remove the owner note {} of a released lock: {}", ownerFile, e.toString());
                } finally {
                    closeQuietly(lock, channel);
                    HELD.remove(lockFile);
                }
            }
        }
    }

    /**
     * Takes the lock on {@code lockFile} (its folder created owner-only) and writes {@code note} to {@code ownerFile}.
     *
     * @param owner what {@link Holder#inThisJvm()} gives a taker in this JVM who is refused
     * @return the held lock
     * @throws Busy if this JVM or another live process holds it
     * @throws IOException if the lock or its note cannot be written; no lock is held then
     */
    public static Held acquire(Path lockFile, Path ownerFile, Object owner, byte[] note) throws Busy, IOException {
        Path key = lockFile.toAbsolutePath().normalize();
        synchronized (HELD) {
            Held mine = HELD.get(key);
            if (mine != null) {
                throw new Busy(new Holder(mine.owner, Optional.empty()));
            }
            FileChannel channel = null;
            FileLock lock = null;
            try {
                Files2.createPrivateDirectories(key.getParent());
                channel = FileChannel.open(key, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                try {
                    lock = channel.tryLock();
                } catch (OverlappingFileLockException e) {
                    lock = null; // cannot happen while HELD is right; refuse rather than share
                }
                if (lock == null) {
                    channel.close(); // this JVM holds no lock on the file, so closing drops nothing
                    throw new Busy(new Holder(null, readNote(ownerFile)));
                }
                readNote(ownerFile).ifPresent(dead -> LOG.warn("taking over the lock {} left by a process that is "
                        + "no longer running; its note said: {}", key, new String(dead,
                        java.nio.charset.StandardCharsets.UTF_8)));
                // the note only names the holder; the kernel's lock is what excludes, so no sync is needed
                Files2.writeAtomically(ownerFile, note, Files2.Sync.NONE);
                Held taken = new Held(key, channel, lock, ownerFile, owner);
                HELD.put(key, taken);
                return taken;
            } catch (IOException | RuntimeException e) {
                // nothing is held on any path out: a lock whose note cannot be written is given back at once
                closeQuietly(lock, channel);
                throw e;
            }
        }
    }

    /** Who holds the lock on {@code lockFile} now, if anyone does: this JVM or another live process. */
    public static Optional<Holder> holder(Path lockFile, Path ownerFile) {
        Path key = lockFile.toAbsolutePath().normalize();
        synchronized (HELD) {
            Held mine = HELD.get(key);
            if (mine != null) {
                return Optional.of(new Holder(mine.owner, Optional.empty()));
            }
            if (!Files.exists(key)) {
                return Optional.empty();
            }
            // no lock of this JVM is on the file (HELD says so, and none can be taken while we hold the monitor),
            // so opening and closing a descriptor of it here drops nothing
            try (FileChannel channel = FileChannel.open(key, StandardOpenOption.WRITE)) {
                FileLock probe = channel.tryLock();
                if (probe != null) {
                    probe.release();
                    return Optional.empty();
                }
            } catch (OverlappingFileLockException e) {
                LOG.warn("lock {} is held in this JVM outside the lock table", key);
            } catch (IOException e) {
                return Optional.empty();
            }
            return Optional.of(new Holder(null, readNote(ownerFile)));
        }
    }

    private static Optional<byte[]> readNote(Path ownerFile) {
        try {
            return Optional.of(Files.readAllBytes(ownerFile));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static void closeQuietly(FileLock lock, FileChannel channel) {
        try {
            if (lock != null && lock.isValid()) {
                lock.release();
            }
        } catch (IOException e) {
            LOG.warn("cannot release a lock: {}", e.toString());
        }
        try {
            if (channel != null) {
                channel.close();
            }
        } catch (IOException e) {
            LOG.warn("cannot close a lock file: {}", e.toString());
        }
    }
}
