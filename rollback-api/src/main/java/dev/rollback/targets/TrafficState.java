package dev.rollback.targets;

import dev.rollback.error.RollbackException;
import dev.rollback.host.FileStat;
import dev.rollback.host.Host;
import dev.rollback.spi.CaptureContext;
import dev.rollback.spi.RestoreContext;
import dev.rollback.spi.Snapshot;
import dev.rollback.targets.TrafficSwitch.Mode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Where a {@link TrafficSwitch} sends traffic now, and how it is recorded and changed: the link's
 * text (symlink mode) or the file's bytes (file mode), read and written through the host, matched
 * with the sides, and kept in a snapshot.
 *
 * <p>Immutable and thread-safe; every method works through the host it is given.
 */
final class TrafficState {

    private final TrafficSwitch sw;

    TrafficState(TrafficSwitch sw) {
        this.sw = sw;
    }

    /** The link's text (symlink mode) or the file's bytes (file mode). */
    record State(String text, byte[] bytes) {
        @Override
        public boolean equals(Object o) {
            return o instanceof State s && Objects.equals(text, s.text) && Arrays.equals(bytes, s.bytes);
        }

        @Override
        public int hashCode() {
            return Objects.hash(text, Arrays.hashCode(bytes));
        }

        @Override
        public String toString() {
            return text != null ? text : bytes.length + " bytes";
        }
    }

    /** A snapshot of where traffic goes; with {@code requireSide}, refused unless it matches a side. */
    Snapshot record(CaptureContext ctx, boolean requireSide) throws IOException {
        if (sw.sides.size() < 2) {
            throw new IllegalStateException(sw.what() + ": expected at least two sides, found " + sw.sides.keySet()
                    + "; add them with .side(...)");
        }
        Host host = ctx.host();
        State now = read(host);
        if (now == null) {
            throw new RollbackException(sw.what() + ": expected a " + (sw.mode == Mode.SYMLINK ? "symbolic link" : "file")
                    + " at " + sw.active + " on host " + host.name() + ", found nothing; create it, pointing at a side");
        }
        Optional<String> side = sideOf(now, host);
        if (side.isEmpty() && requireSide) {
            throw new RollbackException(sw.what() + ": expected " + sw.active + " to " + (sw.mode == Mode.SYMLINK
                    ? "point at one of the sides " + sw.sides + ", found it pointing at " + now.text()
                    : "hold the content of one of the sides " + sw.sides + ", found " + now.bytes().length
                    + " bytes matching none") + "; point it at a side, or declare that side with .side(...)");
        }
        Map<String, String> data = new LinkedHashMap<>();
        data.put("mode", sw.mode.name().toLowerCase());
        data.put("active", sw.active.toString());
        side.ifPresent(s -> data.put("side", s));
        if (sw.mode == Mode.SYMLINK) {
            data.put("link", now.text());
        } else {
            ctx.host().write(ctx.artifactDir().resolve(TrafficSwitch.ACTIVE), now.bytes(), 0600);
            data.put("bytes", Integer.toString(now.bytes().length));
        }
        return Snapshot.of(data);
    }

    /** The state the snapshot recorded. */
    State wanted(Snapshot snapshot, RestoreContext ctx) throws IOException {
        String recorded = snapshot.require("mode");
        if (!recorded.equals(sw.mode.name().toLowerCase())) {
            throw new RollbackException(sw.what() + ": expected a restore point made by a " + sw.mode.name().toLowerCase()
                    + " switch, found one made by a '" + recorded + "' switch; use the same kind of switch");
        }
        return sw.mode == Mode.SYMLINK ? new State(snapshot.require("link"), null)
                : new State(null, ctx.host().read(ctx.artifact(snapshot, TrafficSwitch.ACTIVE)));
    }

    /** The state on the host now; null if nothing is at the active path. */
    State read(Host host) {
        Optional<FileStat> st = host.stat(sw.active);
        if (st.isEmpty()) {
            return null;
        }
        if (sw.mode == Mode.SYMLINK) {
            if (!st.get().isSymlink()) {
                throw new RollbackException(sw.what() + ": expected a symbolic link at " + sw.active + ", found a "
                        + st.get().type().name().toLowerCase() + "; move it away, then point a link at a side");
            }
            return new State(st.get().linkTarget().toString(), null);
        }
        if (!st.get().isFile()) {
            throw new RollbackException(sw.what() + ": expected a regular file at " + sw.active + ", found a "
                    + st.get().type().name().toLowerCase() + "; move it away");
        }
        return new State(null, host.read(sw.active));
    }

    /** The side {@code state} sends traffic to, if it matches one. */
    Optional<String> sideOf(State state, Host host) {
        for (Map.Entry<String, Path> side : sw.sides.entrySet()) {
            if (sw.mode == Mode.SYMLINK) {
                if (resolved(Path.of(state.text())).equals(resolved(side.getValue()))) {
                    return Optional.of(side.getKey());
                }
            } else if (host.stat(side.getValue()).map(FileStat::isFile).orElse(false)
                    && Arrays.equals(host.read(side.getValue()), state.bytes())) {
                return Optional.of(side.getKey());
            }
        }
        return Optional.empty();
    }

    private Path resolved(Path target) {
        return sw.active.toAbsolutePath().getParent().resolve(target).normalize();
    }

    /** Points the link, or writes the file, atomically. */
    void apply(Host host, State state) {
        if (sw.mode == Mode.SYMLINK) {
            host.replaceSymlink(sw.active, Path.of(state.text()));
        } else {
            host.write(sw.active, state.bytes());
        }
    }

    /** Puts {@code previous} back; removes the active path if nothing was there. */
    void undo(Host host, State previous) {
        if (previous == null) {
            host.delete(sw.active);
        } else {
            apply(host, previous);
        }
    }

    /** The side traffic comes from, in words. */
    String from(State current, Host host) {
        if (current == null) {
            return "nothing";
        }
        return sideOf(current, host).orElse("an upstream matching no side (" + describe(current) + ")");
    }

    String describe(State state) {
        return sw.mode == Mode.SYMLINK ? sw.active + " -> " + state.text()
                : sw.active + ", " + state.bytes().length + " bytes";
    }
}
