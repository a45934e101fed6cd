package dev.rollback.fault;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Every entry under some folders, as a map from path to type, mode, link target and SHA-256: what
 * the fault tests compare before and after a refused operation to prove that nothing changed.
 */
public final class Fingerprint {

    private Fingerprint() {}

    /** The fingerprint of every entry under each root (a missing root is empty). */
    public static Map<String, String> of(Path... roots) {
        Map<String, String> out = new TreeMap<>();
        for (Path root : roots) {
            if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            try (Stream<Path> all = Files.walk(root)) {
                for (Path p : (Iterable<Path>) all::iterator) {
                    out.put(p.toString(), entry(p));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }

    private static String entry(Path p) throws IOException {
        PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        String mode = PosixFilePermissions.toString(a.permissions());
        if (a.isSymbolicLink()) {
            return "link " + mode + " -> " + Files.readSymbolicLink(p);
        }
        if (a.isDirectory()) {
            return "dir " + mode;
        }
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            return "file " + mode + " " + a.size() + " " + HexFormat.of().formatHex(d.digest(Files.readAllBytes(p)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
