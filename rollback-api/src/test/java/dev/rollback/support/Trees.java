package dev.rollback.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Fingerprints a folder (every path, its bytes and modification time) to prove nothing changed. */
public final class Trees {

    private Trees() {}

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
