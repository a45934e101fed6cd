package dev.rollback.ssh;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.util.Base64;
import net.schmizz.sshj.common.Buffer;
import net.schmizz.sshj.common.KeyType;

/** Key pairs for tests, made in Java (no tool needed): an RSA key as a PKCS#8 PEM file. */
final class TestKeys {

    private TestKeys() {}

    /** A fresh key pair. */
    static KeyPair rsa() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The private key as the text of an unencrypted PEM file. */
    static String pem(KeyPair pair) {
        return "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(pair.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
    }

    /** Writes the private key to a file readable by its owner only. */
    static Path write(KeyPair pair, Path file) throws IOException {
        Files.writeString(file, pem(pair));
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    /** A public key as one line of authorized_keys or known_hosts: {@code type base64}. */
    static String openSsh(PublicKey key) {
        return KeyType.fromKey(key) + " " + Base64.getEncoder().encodeToString(
                new Buffer.PlainBuffer().putPublicKey(key).getCompactData());
    }

    /** A known_hosts file trusting {@code key} for 127.0.0.1 on {@code port}. */
    static Path knownHosts(Path file, int port, PublicKey key) throws IOException {
        Files.writeString(file, "[127.0.0.1]:" + port + " " + openSsh(key) + "\n");
        return file;
    }
}
