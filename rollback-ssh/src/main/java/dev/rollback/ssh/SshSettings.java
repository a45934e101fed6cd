package dev.rollback.ssh;

import dev.rollback.Sleeper;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * The settings an {@link SshHost} was built with, copied from its builder.
 *
 * <p>Immutable apart from the secret arrays, which are never handed out.
 */
record SshSettings(String address, int port, String user, List<Key> keys, Path agentSocket, char[] password,
        Path knownHosts, Set<String> trustedFingerprints, boolean anyHostKey, boolean sudo, Duration connectTimeout,
        int connectAttempts, Duration retryDelay, Sleeper sleeper) {

    /** A private key: a file or its text, and its passphrase (null if not encrypted). */
    record Key(Path file, String text, char[] passphrase) {
        String describe() {
            return file != null ? "the key " + file : "the key given in memory";
        }

        @Override
        public String toString() {
            return describe();
        }
    }

    @Override
    public String toString() {
        return "SshSettings[" + user + "@" + address + ":" + port + "]";
    }
}
