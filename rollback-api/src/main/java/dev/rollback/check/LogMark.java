package dev.rollback.check;

import dev.rollback.host.Host;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * Where a log file ended at one moment: a {@link LogScan} reads only what was written after it.
 *
 * <p>A mark is the file's length in bytes and a hash of its last bytes (at most 64) before that
 * length. Later, a file shorter than the mark, or whose bytes before the mark hash differently, was
 * rotated, truncated or replaced meanwhile: all of it is then new. A file absent at the mark has
 * offset 0, so all of it counts once it appears. Lengths rather than timestamps are used because log
 * formats differ and many lines (a traceback's frames, a server's access lines) carry no time.
 *
 * <p>Immutable and thread-safe.
 *
 * <pre>{@code
 * LogMark mark = LogMark.take(Hosts.local(), Path.of("logs/gestima.log"), Clock.systemUTC());
 * // ... deploy, roll back ...
 * HealthCheck.logScan(Path.of("logs/gestima.log"), Pattern.compile("ERROR"), mark)
 * }</pre>
 *
 * @param file the log file
 * @param offset the file's length in bytes at the mark
 * @param tailSha256 the SHA-256, in hex, of the (at most 64) bytes before {@code offset}
 * @param at when the mark was taken
 */
public record LogMark(Path file, long offset, String tailSha256, Instant at) {

    /** How many bytes before the mark are hashed to notice a replaced file. */
    static final int TAIL = 64;

    /** Validates the parts. */
    public LogMark {
        if (file == null) {
            throw new IllegalArgumentException("log mark: expected a file, found null");
        }
        if (offset < 0) {
            throw new IllegalArgumentException("log mark of " + file + ": expected an offset of 0 or more, found " + offset);
        }
        Objects.requireNonNull(tailSha256, "tailSha256");
        Objects.requireNonNull(at, "at");
    }

    /**
     * Marks where {@code file} on {@code host} ends now, reading it through the host.
     *
     * @throws dev.rollback.host.HostException if the file exists but cannot be read
     */
    public static LogMark take(Host host, Path file, Clock clock) {
        Objects.requireNonNull(host, "host");
        if (file == null) {
            throw new IllegalArgumentException("log mark: expected a file, found null");
        }
        Objects.requireNonNull(clock, "clock");
        Instant at = clock.instant();
        if (!host.exists(file)) {
            return new LogMark(file, 0, tailHash(new byte[0], 0), at);
        }
        byte[] content = host.read(file);
        return new LogMark(file, content.length, tailHash(content, content.length), at);
    }

    /** The hash of the (at most 64) bytes of {@code content} before {@code end}. */
    static String tailHash(byte[] content, long end) {
        int to = (int) end;
        byte[] tail = Arrays.copyOfRange(content, Math.max(0, to - TAIL), to);
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(tail));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this Java has no SHA-256, which every Java must have", e);
        }
    }
}
