package dev.rollback.db;

import dev.rollback.spi.CaptureContext;
import java.nio.file.Path;
import java.util.Map;
import org.jdbi.v3.core.Handle;

/**
 * The consistent copy a {@link SqliteDatabase} captures: a kernel copy of the file inside a read
 * transaction when that transaction's state is all in the file, else SQLite's online backup in
 * one step. Not API; immutable.
 */
final class SqliteCopy {

    private final SqliteDatabase db;

    SqliteCopy(SqliteDatabase db) {
        this.db = db;
    }

    /**
     * Copies one consistent state of the database to {@code copy} and forces it to disk; returns how.
     *
     * <p>Inside a read transaction the database file itself cannot change under the copy: in
     * rollback-journal mode the transaction's shared lock keeps writers from committing, and in WAL
     * mode a checkpoint never writes a page newer than the oldest open read transaction into the
     * file. So when the transaction's state is entirely in the file (the WAL fully checkpointed up to
     * the state it sees, which a checkpoint run from a second connection reports), a plain copy of
     * the file's first {@code page_count * page_size} bytes is exactly that state, made in the
     * kernel at the speed of a file copy. Otherwise (an application's reader keeps older WAL frames
     * from being checkpointed, or a writer added frames in between) SQLite's online backup copies
     * the state page by page.
     */
    String copy(Handle h, Path copy, CaptureContext ctx) throws Exception {
        if (h.createQuery("PRAGMA main.page_size").mapTo(Long.class).one() <= 0) {
            throw new IllegalStateException("target '" + db.name() + "': expected a SQLite database in " + db.file
                    + ", found no page size; check that the file is a SQLite database");
        }
        boolean wal = "wal".equalsIgnoreCase(h.createQuery("PRAGMA main.journal_mode").mapTo(String.class).one());
        if (wal) {
            checkpoint(); // move what the WAL holds into the file, as far as readers allow
        }
        h.begin();
        try {
            // the first read starts the read transaction: from here on, its state is fixed
            long pages = h.createQuery("PRAGMA main.page_count").mapTo(Long.class).one();
            long size = pages * h.createQuery("PRAGMA main.page_size").mapTo(Long.class).one();
            boolean inFile = !wal || checkpoint();
            db.duringCopy.run();
            if (inFile && java.nio.file.Files.size(db.file) >= size) {
                copyBytes(db.file, copy, size);
                ctx.progress("copied " + size + " bytes of " + db.file + " inside a read transaction (its state is all "
                        + "in the file)");
                return "file copy in a read transaction";
            }
        } finally {
            h.rollback();
        }
        h.execute("PRAGMA mmap_size = 1099511627776"); // the backup then reads the source without a system call a page
        org.sqlite.SQLiteConnection c = h.getConnection().unwrap(org.sqlite.SQLiteConnection.class);
        // all pages in one step: one read transaction, so the copy is one consistent state
        int rc = c.getDatabase().backup("main", copy.toString(), null, 100, 300, -1);
        if (rc != 0) {
            throw new IllegalStateException("target '" + db.name() + "': expected SQLite's online backup of " + db.file
                    + " to finish, found result code " + rc + "; retry when the database is less busy");
        }
        ctx.progress("copied " + db.file + " with SQLite's online backup");
        return "online backup";
    }

    /**
     * Runs a passive checkpoint from a connection of its own (it waits for nobody) and returns
     * whether the whole WAL is now in the database file. While another connection of ours holds a
     * read transaction, a checkpoint cannot pass the state that transaction sees, so a complete one
     * means that state is entirely in the file.
     */
    private boolean checkpoint() {
        try (Handle c = SqliteDatabase.open("jdbc:sqlite:file:" + db.file.toUri().getRawPath()).open()) {
            Map<String, Object> r = c.createQuery("PRAGMA main.wal_checkpoint(PASSIVE)").mapToMap().one();
            long busy = ((Number) r.get("busy")).longValue();
            long log = ((Number) r.get("log")).longValue();
            long done = ((Number) r.get("checkpointed")).longValue();
            return busy == 0 && log >= 0 && log == done;
        }
    }

    /** Copies the first {@code size} bytes of {@code from} to a new file {@code to} in the kernel and forces it to disk. */
    private static void copyBytes(Path from, Path to, long size) throws java.io.IOException {
        try (java.nio.channels.FileChannel in = java.nio.channels.FileChannel.open(from,
                java.nio.file.StandardOpenOption.READ);
                java.nio.channels.FileChannel out = java.nio.channels.FileChannel.open(to,
                        java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE)) {
            long done = 0;
            while (done < size) {
                long n = in.transferTo(done, size - done, out);
                if (n <= 0) {
                    throw new java.io.EOFException("expected " + size + " bytes in " + from + ", found " + done);
                }
                done += n;
            }
            out.force(true);
        }
    }
}
