package dev.rollback.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Facts about the machine this JVM runs on, found without a network lookup.
 *
 * <p>Thread-safe.
 */
public final class LocalMachine {

    private static final String NAME = findName();

    private LocalMachine() {}

    /** The host name, from {@code HOSTNAME} or {@code /etc/hostname}; never a DNS lookup. */
    public static String name() {
        return NAME;
    }

    /** The pid of this JVM. */
    public static long pid() {
        return ProcessHandle.current().pid();
    }

    private static String findName() {
        String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) {
            return env.trim();
        }
        try {
            String file = Files.readString(Path.of("/etc/hostname")).trim();
            if (!file.isEmpty()) {
                return file;
            }
        } catch (IOException | SecurityException e) {
            // fall through
        }
        String computer = System.getenv("COMPUTERNAME");
        return computer == null || computer.isBlank() ? "localhost" : computer.trim();
    }
}
