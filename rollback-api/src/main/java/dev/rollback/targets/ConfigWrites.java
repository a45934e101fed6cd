package dev.rollback.targets;

import dev.rollback.host.FileStat;
import dev.rollback.host.Host;
import dev.rollback.targets.ConfigSnapshots.Current;
import dev.rollback.targets.ConfigSnapshots.Saved;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Puts {@link ConfigFiles} files in place on a host: one captured file with its mode and owner, or
 * every file back as it was read just before a restore that failed.
 *
 * <p>Thread-safe and stateless.
 */
final class ConfigWrites {

    private ConfigWrites() {}

    /** Puts one file's captured state in place: mode and owner first, so the content is never less protected. */
    static void apply(Host host, Saved s, byte[] content) {
        if (!s.present()) {
            host.delete(s.path());
            return;
        }
        Optional<FileStat> stat = host.stat(s.path());
        boolean owners = host.canChangeOwners() && !s.owner().isEmpty() && !s.group().isEmpty();
        if (stat.isPresent()) {
            if (stat.get().mode() != s.mode()) {
                host.setMode(s.path(), s.mode());
            }
            if (owners && (!s.owner().equals(stat.get().owner()) || !s.group().equals(stat.get().group()))) {
                host.setOwner(s.path(), s.owner(), s.group());
            }
            if (Arrays.equals(host.read(s.path()), content)) {
                return;
            }
        }
        host.write(s.path(), content, s.mode());
        FileStat after = host.stat(s.path()).orElseThrow(() -> new IllegalStateException(s.path()
                + " is gone right after it was written"));
        if (after.mode() != s.mode()) {
            host.setMode(s.path(), s.mode());
        }
        if (owners && (!s.owner().equals(after.owner()) || !s.group().equals(after.group()))) {
            host.setOwner(s.path(), s.owner(), s.group());
        }
    }

    /** Puts files back as they were read before the restore; says what was done, for the message. */
    static String putBack(Host host, List<Current> before) {
        List<String> failed = new ArrayList<>();
        for (Current c : before) {
            try {
                if (!c.present()) {
                    host.delete(c.path());
                    continue;
                }
                Optional<FileStat> stat = host.stat(c.path());
                boolean sameOwner = !host.canChangeOwners() || stat.isEmpty()
                        || Objects.equals(stat.get().owner(), c.owner()) && Objects.equals(stat.get().group(), c.group());
                if (stat.isPresent() && stat.get().isFile() && stat.get().mode() == c.mode() && sameOwner
                        && Arrays.equals(host.read(c.path()), c.content())) {
                    continue; // never changed, or already back
                }
                if (stat.isPresent()) {
                    host.setMode(c.path(), c.mode()); // before the content, so it is never less protected
                }
                host.write(c.path(), c.content(), c.mode());
                host.setMode(c.path(), c.mode());
                if (host.canChangeOwners() && c.owner() != null) {
                    host.setOwner(c.path(), c.owner(), c.group());
                }
            } catch (RuntimeException e) {
                failed.add(c.path() + " (" + e.getMessage() + ")");
            }
        }
        if (failed.isEmpty()) {
            return "the restore was undone: every file was put back as it was just before it, byte for byte";
        }
        return "putting the files back failed for " + String.join(", ", failed) + ", so those files are left in "
                + "between; the state before the rollback is in its set-aside restore point (undo the rollback)";
    }
}
