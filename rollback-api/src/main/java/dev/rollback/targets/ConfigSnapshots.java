package dev.rollback.targets;

import dev.rollback.error.RollbackException;
import dev.rollback.spi.Snapshot;
import dev.rollback.host.FileStat;
import dev.rollback.host.Host;
import dev.rollback.host.HostException;
import dev.rollback.internal.Files2;
import dev.rollback.spi.CaptureContext;
import dev.rollback.spi.Plural;
import dev.rollback.spi.SnapshotFields;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a {@link ConfigFiles} restore point holds and how it is read back: the files as read on the
 * host, their copies and fields in the snapshot, and the snapshot checked against the target's files.
 *
 * <p>Immutable and thread-safe.
 */
final class ConfigSnapshots {

    private final String name;
    private final List<Path> files;
    private final List<Format> formats;

    ConfigSnapshots(String name, List<Path> files, List<Format> formats) {
        this.name = name;
        this.files = files;
        this.formats = formats;
    }

    /** A file as it is on the host now; {@code content} is null if it does not exist. */
    record Current(Path path, byte[] content, int mode, String owner, String group) {
        static Current absent(Path path) {
            return new Current(path, null, 0, null, null);
        }

        boolean present() {
            return content != null;
        }
    }

    Current read(Host host, Path file, FileStat stat) {
        byte[] content;
        try {
            content = host.read(file);
        } catch (RuntimeException e) {
            throw new RollbackException("config target '" + name + "': " + cannotRead(host, file, e), e, name, null);
        }
        return new Current(file, content, stat.mode(), stat.owner(), stat.group());
    }

    static String cannotRead(Host host, Path file, RuntimeException e) {
        return "expected to read " + file + " on host " + host.name() + ", found: " + e.getMessage()
                + "; make it readable by the user the host runs as";
    }

    Snapshot store(CaptureContext ctx, List<Current> now, boolean validated) {
        Map<String, String> data = new LinkedHashMap<>();
        data.put("files", Integer.toString(now.size()));
        data.put("validated", Boolean.toString(validated));
        for (int i = 0; i < now.size(); i++) {
            Current c = now.get(i);
            String key = "file." + i + ".";
            data.put(key + "path", c.path().toString());
            data.put(key + "format", formats.get(i).name());
            data.put(key + "present", Boolean.toString(c.present()));
            if (!c.present()) {
                continue;
            }
            Path artifact = ctx.artifactDir().resolve(artifactName(i));
            try {
                ctx.host().write(artifact, c.content(), 0600);
            } catch (HostException e) {
                throw new RollbackException("config target '" + name + "': expected to copy " + c.path()
                        + " into the restore point at " + artifact + ", found: " + e.getMessage()
                        + "; check the store's disk", e, name, null);
            }
            data.put(key + "mode", octal(c.mode()));
            data.put(key + "owner", Objects.toString(c.owner(), ""));
            data.put(key + "group", Objects.toString(c.group(), ""));
            data.put(key + "size", Integer.toString(c.content().length));
            data.put(key + "sha256", Files2.sha256(c.content()));
        }
        ctx.progress("captured " + Plural.of(now.stream().filter(Current::present).count(), "config file"));
        return Snapshot.of(data);
    }

    private static String artifactName(int i) {
        return "file-" + i;
    }

    /** One file as the snapshot recorded it. */
    record Saved(Path path, Format format, boolean present, int mode, String owner, String group,
            String sha256, String artifact) {}

    List<Saved> saved(Snapshot snapshot) {
        SnapshotFields f = SnapshotFields.of(snapshot);
        int count = f.integer("files", 0, files.size());
        List<Saved> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String key = "file." + i + ".";
            Path path = f.path(key + "path");
            boolean present = f.bool(key + "present");
            String sha = f.optional(key + "sha256").orElse("");
            if (present && !sha.matches("[0-9a-f]{64}")) {
                f.text(key + "sha256"); // names a missing field
                throw new dev.rollback.spi.InvalidSnapshotException("snapshot of target '" + name + "': expected field '"
                        + key + "sha256' to be 64 lower-case hex digits, found '" + sha + "'; roll back to another point",
                        name, key + "sha256", sha);
            }
            out.add(new Saved(path, f.oneOf(key + "format", Format.class), present, present ? f.mode(key + "mode") : 0,
                    f.optional(key + "owner").orElse(""), f.optional(key + "group").orElse(""), sha, artifactName(i)));
        }
        List<Path> paths = out.stream().map(Saved::path).toList();
        if (!paths.equals(files)) {
            throw new RollbackException("config target '" + name + "': expected a snapshot of its files " + files
                    + ", found one of " + paths + "; the target changed since the capture: restore with the target as "
                    + "it was, or capture a new restore point", null, name, null);
        }
        return out;
    }

    static boolean validated(Snapshot snapshot) {
        return SnapshotFields.of(snapshot).bool("validated");
    }

    static String type(FileStat stat) {
        return switch (stat.type()) {
            case FILE -> "file";
            case DIRECTORY -> "folder";
            case SYMLINK -> "symbolic link";
            case OTHER -> "device, socket or pipe";
        };
    }

    static String octal(int mode) {
        return String.format("%04o", mode);
    }
}
