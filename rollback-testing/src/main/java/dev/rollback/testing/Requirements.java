package dev.rollback.testing;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Tests that need something the machine may lack (a Docker engine, an OpenSSH server, a database
 * server binary) call {@link #require(boolean, String)}. On a developer's laptop a missing
 * requirement skips the test with a visible reason; where {@code ROLLBACK_REQUIRE_ALL=true} (CI
 * sets it), a missing requirement fails the test instead, so nothing is silently skipped in CI.
 */
public final class Requirements {

    /** The environment variable that turns skips into failures. */
    public static final String REQUIRE_ALL = "ROLLBACK_REQUIRE_ALL";

    private Requirements() {}

    /** Skips (laptop) or fails (CI) the calling test unless {@code available}. */
    public static void require(boolean available, String what) {
        if (available) {
            return;
        }
        String reason = "requirement missing: " + what;
        if ("true".equalsIgnoreCase(System.getenv(REQUIRE_ALL))) {
            Assertions.fail(reason + " (" + REQUIRE_ALL + "=true, so this is a failure, not a skip)");
        }
        System.err.println("SKIPPED: " + reason + " (set " + REQUIRE_ALL + "=true to make this a failure)");
        Assumptions.abort(reason);
    }

    /** Whether a program is on the PATH of this machine. */
    public static boolean onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(java.io.File.pathSeparator)) {
            java.nio.file.Path p = java.nio.file.Path.of(dir, program);
            if (java.nio.file.Files.isExecutable(p)) {
                return true;
            }
        }
        return false;
    }
}
