package dev.rollback.ssh;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import net.schmizz.sshj.common.Buffer;
import net.schmizz.sshj.common.KeyType;
import net.schmizz.sshj.transport.verification.HostKeyVerifier;
import net.schmizz.sshj.transport.verification.OpenSSHKnownHosts;

/**
 * Checks a server's host key against a known_hosts file and pinned fingerprints, and remembers why
 * a key was refused, so the connection error can show the fingerprint and how to trust it.
 *
 * <p>One instance serves one connection attempt; not shared between threads.
 */
final class HostKeys implements HostKeyVerifier {

    private final Path knownHostsFile;
    private final Set<String> pinned;
    private final OpenSSHKnownHosts knownHosts;
    private volatile HostKeyRejectedException rejection;

    HostKeys(Path knownHostsFile, Set<String> pinned) throws IOException {
        this.knownHostsFile = knownHostsFile;
        this.pinned = pinned;
        this.knownHosts = knownHostsFile == null ? null : new Recorder(knownHostsFile.toFile());
    }

    /** Why the last key was refused, or null. */
    HostKeyRejectedException rejection() {
        return rejection;
    }

    @Override
    public boolean verify(String hostname, int port, PublicKey key) {
        if (pinned.contains(fingerprint(key))) {
            return true;
        }
        if (knownHosts != null && knownHosts.verify(hostname, port, key)) {
            return true;
        }
        if (rejection == null) {
            rejection = unknown(hostname, port, key);
        }
        return false;
    }

    @Override
    public List<String> findExistingAlgorithms(String hostname, int port) {
        return knownHosts == null ? List.of() : knownHosts.findExistingAlgorithms(hostname, port);
    }

    /** The SHA-256 fingerprint of a key as OpenSSH prints it: {@code SHA256:} and unpadded base64. */
    static String fingerprint(PublicKey key) {
        byte[] blob = new Buffer.PlainBuffer().putPublicKey(key).getCompactData();
        try {
            byte[] sha = MessageDigest.getInstance("SHA-256").digest(blob);
            return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(sha);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this Java has no SHA-256, which every Java must have", e);
        }
    }

    private static String entryName(String hostname, int port) {
        return port == 22 ? hostname : "[" + hostname + "]:" + port;
    }

    private String trustAdvice(String hostname, int port, PublicKey key) {
        String type = KeyType.fromKey(key).toString();
        String shortType = type.startsWith("ssh-") ? type.substring(4) : type.startsWith("ecdsa") ? "ecdsa" : type;
        return "compare it with the server's own fingerprint (on the server: ssh-keygen -lf "
                + "/etc/ssh/ssh_host_" + shortType + "_key.pub); if they match, add the key to "
                + (knownHostsFile == null ? "a known_hosts file" : knownHostsFile.toString())
                + " (ssh-keyscan -p " + port + " -t " + shortType + " " + hostname + " >> "
                + (knownHostsFile == null ? "~/.ssh/known_hosts" : knownHostsFile.toString())
                + ") or pin it with SshHost.builder(...).trustHostKey(\"" + fingerprint(key) + "\")";
    }

    private HostKeyRejectedException unknown(String hostname, int port, PublicKey key) {
        String type = KeyType.fromKey(key).toString();
        return new HostKeyRejectedException("host key of " + entryName(hostname, port) + ": expected a key known from "
                + (knownHostsFile == null ? "a pinned fingerprint" : knownHostsFile + " or a pinned fingerprint")
                + ", found an unknown " + type + " key " + fingerprint(key) + otherTypes(hostname, port) + "; "
                + trustAdvice(hostname, port, key),
                fingerprint(key), false);
    }

    private String otherTypes(String hostname, int port) {
        List<String> known = findExistingAlgorithms(hostname, port);
        return known.isEmpty() ? "" : " (keys of other types are known for it: " + String.join(", ", known)
                + "; a server does not normally drop its key, so make sure this is the right server)";
    }

    /** Records a changed key instead of only logging it. */
    private final class Recorder extends OpenSSHKnownHosts {
        Recorder(File file) throws IOException {
            super(file);
        }

        @Override
        protected boolean hostKeyUnverifiableAction(String hostname, PublicKey key) {
            return false;
        }

        @Override
        protected boolean hostKeyChangedAction(String hostname, PublicKey key) {
            String type = KeyType.fromKey(key).toString();
            rejection = new HostKeyRejectedException("host key of " + hostname + " HAS CHANGED: expected the " + type
                    + " key recorded in " + knownHostsFile + ", found another one, " + fingerprint(key)
                    + "; this is what an attacker between you and the server would cause, or the server was "
                    + "reinstalled. Refused. If the change is expected, remove the old entry (ssh-keygen -R '"
                    + hostname + "' -f " + knownHostsFile + "), then " + trustAdvice(
                            hostname.startsWith("[") ? hostname.substring(1, hostname.indexOf(']')) : hostname,
                            hostname.startsWith("[") ? Integer.parseInt(hostname.substring(hostname.indexOf("]:") + 2))
                                    : 22, key),
                    fingerprint(key), true);
            return false;
        }
    }
}
