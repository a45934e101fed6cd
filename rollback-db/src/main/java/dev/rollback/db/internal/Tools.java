package dev.rollback.db.internal;

import dev.rollback.host.Command;
import dev.rollback.host.CommandResult;
import dev.rollback.host.Host;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Helpers for running database tools on a host: private temp folders, versions, passwords from files. */
public final class Tools {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern MAJOR = Pattern.compile("(\\d+)\\.(\\d+)");

    private Tools() {}

    /** A short random hex text for names of scratch databases and temp folders. */
    public static String randomHex(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /**
     * Creates a new folder readable by its owner only in the temp folder of {@code host}: this
     * process's {@code java.io.tmpdir} when the host shares its files, else {@code /tmp} on the
     * server, made there with {@code mktemp -d} (created 0700 at once, under a name no one can guess).
     * The caller deletes it through the host.
     *
     * @throws IllegalStateException if the server cannot make one
     */
    public static Path privateTempDir(Host host) {
        if (host.sharesLocalFiles()) {
            Path dir = Path.of(System.getProperty("java.io.tmpdir"), "rollback-db-" + randomHex(8));
            host.createDirectories(dir);
            host.setMode(dir, 0700);
            return dir;
        }
        CommandResult r = host.run(Command.of("mktemp", "-d", "/tmp/rollback-db-XXXXXXXXXXXX"));
        String out = r.stdout().strip();
        if (!r.succeeded() || !out.startsWith("/tmp/rollback-db-") || out.indexOf('\n') >= 0) {
            throw new IllegalStateException("host " + host.name() + ": expected mktemp -d to make a private temp folder "
                    + "in /tmp, found " + r.describe() + "; make /tmp writable for the SSH user, then try again");
        }
        Path dir = Path.of(out);
        host.setMode(dir, 0700);
        return dir;
    }

    /** The first line of a password file on the host, without its line end. */
    public static String readPassword(Host host, Path file) {
        String text = new String(host.read(file), StandardCharsets.UTF_8);
        int end = text.indexOf('\n');
        String line = end < 0 ? text : text.substring(0, end);
        return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
    }

    /** The major version a tool prints for {@code --version} (such as 15 for {@code pg_dump (PostgreSQL) 15.18}), or -1. */
    public static int majorVersion(Host host, String program) {
        CommandResult r = host.run(Command.of(program, "--version"));
        if (!r.succeeded()) {
            return -1;
        }
        Matcher m = MAJOR.matcher(r.stdout());
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }
}
