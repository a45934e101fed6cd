package dev.rollback.store;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The regular files of a tar archive (POSIX ustar, GNU tar's long names and pax {@code path} records, as GNU tar
 * and BusyBox write them), read from its bytes: path to content, in archive order. The store reads a server's
 * documents with one {@code tar} this way. Anything it does not understand is refused, never guessed.
 *
 * <p>Stateless; the static methods are thread-safe.
 */
final class TarEntries {

    private static final int BLOCK = 512;

    private TarEntries() {}

    /**
     * The archive's regular files, path (without a leading {@code ./}) to bytes.
     *
     * @throws IllegalArgumentException if the bytes are not such an archive
     */
    static Map<String, byte[]> read(byte[] tar) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        String longName = null;
        int at = 0;
        while (true) {
            if (at + BLOCK > tar.length) {
                throw new IllegalArgumentException("tar archive: expected a header at byte " + at + ", found the end");
            }
            if (zero(tar, at)) {
                return out; // the end-of-archive blocks
            }
            String magic = new String(tar, at + 257, 5, StandardCharsets.US_ASCII);
            if (!magic.equals("ustar")) {
                throw new IllegalArgumentException("tar archive: expected a ustar header at byte " + at + ", found '"
                        + magic + "'");
            }
            char type = (char) tar[at + 156];
            long size = octal(tar, at + 124, 12);
            int data = at + BLOCK;
            if (size < 0 || data + size > tar.length) {
                throw new IllegalArgumentException("tar archive: expected " + size + " bytes of data at byte " + data
                        + ", found " + (tar.length - data));
            }
            byte[] content = Arrays.copyOfRange(tar, data, data + (int) size);
            String name = string(tar, at, 100);
            String prefix = tar[at + 262] == 0 ? string(tar, at + 345, 155) : ""; // POSIX "ustar\0" only
            String path = longName != null ? longName : prefix.isEmpty() ? name : prefix + "/" + name;
            longName = null;
            switch (type) {
                case 'L' -> longName = nul(new String(content, StandardCharsets.UTF_8));
                case 'x' -> longName = paxPath(content);
                case '0', '\0' -> out.put(path.startsWith("./") ? path.substring(2) : path, content);
                default -> { } // folders, links, global pax headers: not documents
            }
            at = data + (int) ((size + BLOCK - 1) / BLOCK * BLOCK);
        }
    }

    private static boolean zero(byte[] b, int from) {
        for (int i = from; i < from + BLOCK; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }

    /** An octal field, zero- or space-padded in front, ended by a space or NUL; -1 if it is not octal. */
    private static long octal(byte[] b, int from, int len) {
        long v = 0;
        boolean digits = false;
        for (int i = from; i < from + len; i++) {
            byte c = b[i];
            if (c == 0 || c == ' ') {
                if (digits) {
                    break;
                }
                continue;
            }
            if (c < '0' || c > '7') {
                return -1; // base-256 sizes (over 8 GB) are not documents
            }
            digits = true;
            v = v * 8 + (c - '0');
        }
        return v;
    }

    private static String string(byte[] b, int from, int len) {
        int end = from;
        while (end < from + len && b[end] != 0) {
            end++;
        }
        return new String(b, from, end - from, StandardCharsets.UTF_8);
    }

    private static String nul(String s) {
        int i = s.indexOf('\0');
        return i < 0 ? s : s.substring(0, i);
    }

    /**
     * The {@code path} record of a pax header ("<length> path=<value>\n" records, the length in bytes and counting
     * the whole record), or null.
     */
    private static String paxPath(byte[] content) {
        int i = 0;
        while (i < content.length) {
            int space = i;
            while (space < content.length && content[space] != ' ') {
                space++;
            }
            int length = Integer.parseInt(new String(content, i, space - i, StandardCharsets.US_ASCII));
            if (length <= space - i || i + length > content.length) {
                throw new IllegalArgumentException("tar archive: expected pax records, found a record of " + length
                        + " bytes at " + i + " of " + content.length);
            }
            String record = new String(content, space + 1, i + length - 1 - (space + 1), StandardCharsets.UTF_8);
            if (record.startsWith("path=")) {
                return record.substring(5);
            }
            i += length;
        }
        return null;
    }
}
