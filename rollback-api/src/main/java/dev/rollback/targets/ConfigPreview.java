package dev.rollback.targets;

import static dev.rollback.targets.ConfigSnapshots.octal;
import static dev.rollback.targets.ConfigSnapshots.type;

import dev.rollback.host.FileStat;
import dev.rollback.internal.ConfigText;
import dev.rollback.internal.LineDiff;
import dev.rollback.internal.Redactor;
import dev.rollback.spi.RestoreContext;
import dev.rollback.targets.ConfigSnapshots.Saved;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The preview text of a {@link ConfigFiles} restore, a unified diff per file, and the masking of the
 * values of secret-looking keys in it and in every message the target writes.
 *
 * <p>Immutable and thread-safe.
 */
final class ConfigPreview {

    private static final int MAX_DIFF_LINES = 400;
    private static final int CONTEXT = 3;

    private final List<Format> formats;

    ConfigPreview(List<Format> formats) {
        this.formats = formats;
    }

    String describe(Saved s, Optional<FileStat> stat, byte[] now, byte[] then, RestoreContext ctx) {
        String what = s.path() + " (" + s.format() + ")";
        if (stat.isPresent() && !stat.get().isFile()) {
            return "cannot replace " + what + ": a " + type(stat.get()) + " is there";
        }
        if (then == null) {
            return now == null ? "leave " + what + " absent, as it was when set aside"
                    : "delete " + what + ", which was absent when set aside";
        }
        String mode = stat.isPresent() && stat.get().mode() != s.mode()
                ? "; set its mode " + stat.get().octalMode() + " -> " + octal(s.mode()) : "";
        String owner = "";
        if (stat.isPresent() && !s.owner().isEmpty()
                && (!s.owner().equals(stat.get().owner()) || !s.group().equals(stat.get().group()))) {
            owner = ctx.host().canChangeOwners()
                    ? "; give it back to " + s.owner() + ":" + s.group() + " (now " + stat.get().owner() + ":"
                            + stat.get().group() + ")"
                    : "; its owner stays " + stat.get().owner() + ":" + stat.get().group() + " (captured "
                            + s.owner() + ":" + s.group() + "; only root can change it)";
        }
        if (now != null && Arrays.equals(now, then)) {
            return what + " unchanged: identical to the capture" + mode + owner;
        }
        String header = (now == null ? "create " + what + " with mode " + octal(s.mode())
                : "replace " + what + " atomically") + " with the captured content" + mode + owner;
        String point = ctx.point().id();
        Optional<String> nowText = text(now == null ? new byte[0] : now);
        Optional<String> thenText = text(then);
        if (nowText.isEmpty() || thenText.isEmpty()) {
            return header + " (binary content: " + (now == null ? 0 : now.length) + " bytes now, " + then.length
                    + " bytes captured)";
        }
        ConfigText.Masked a = s.format().mask(nowText.get());
        ConfigText.Masked b = s.format().mask(thenText.get());
        List<String> diff = LineDiff.unified(LineDiff.lines(nowText.get()), LineDiff.lines(thenText.get()),
                a.lines(), b.lines(), now == null ? "/dev/null" : s.path() + " (now)",
                s.path() + " (restore point " + point + ")", CONTEXT);
        if (diff.size() > MAX_DIFF_LINES) {
            int more = diff.size() - MAX_DIFF_LINES;
            diff = new ArrayList<>(diff.subList(0, MAX_DIFF_LINES));
            diff.add("... " + more + " more diff lines not shown");
        }
        return header + ":" + System.lineSeparator() + String.join(System.lineSeparator(), diff);
    }

    /** A redactor for the values of secret-looking keys found in any of the given contents. */
    Redactor redactor(List<byte[]> contents) {
        Set<String> secrets = new LinkedHashSet<>();
        for (byte[] content : contents) {
            if (content == null) {
                continue;
            }
            String text = Format.text(content);
            for (Format f : new LinkedHashSet<>(formats)) {
                secrets.addAll(f.mask(text).secrets());
            }
        }
        return new Redactor(secrets);
    }

    /** The content as UTF-8 text, if it is text: valid UTF-8 with no NUL. */
    private static Optional<String> text(byte[] content) {
        for (byte b : content) {
            if (b == 0) {
                return Optional.empty();
            }
        }
        try {
            return Optional.of(StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(content))
                    .toString());
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }
}
