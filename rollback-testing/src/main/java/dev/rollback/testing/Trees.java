package dev.rollback.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Fingerprints a folder (every path, its bytes and modification time) to prove nothing changed: take one before
 * an operation that must refuse, one after, and compare them with {@code isEqualTo}. Stateless, thread-safe.
 */
public final class Trees {

    private Trees() {}

    /**
     * Every path under {@code root} (relative, sorted) to its bytes in hex and modification time, or {@code "dir"}
     * for anything not a regular file; empty when {@code root} does not exist. Links are not followed.
     */
    public static Map<String, String> fingerprint(Path root) throws IOException {
        Map<String, String> out = new TreeMap<>();
        if (!Files.exists(root)) {
            return out;
        }
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                String key = root.relativize(p).toString();
                if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    out.put(key, java.util.HexFormat.of().formatHex(Files.readAllBytes(p)) + "@"
                            + Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS));
                } else {
                    out.put(key, "dir");
                }
            }
        }
        return out;
    }
}
