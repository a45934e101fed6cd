package dev.rollback.internal.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rollback.RestorePoint;
import dev.rollback.store.StoreException;
import dev.rollback.internal.Files2;
import dev.rollback.spi.Artifact;
import dev.rollback.spi.Snapshot;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The manifest of a restore point: the point as JSON, sealed with the SHA-256 of its own content
 * ({@code manifestSha256}, over the compact JSON of every other field), so that a flipped bit or an
 * edit is found when the point is read; and every field of the point checked then, each problem
 * naming the field, the file and what was found.
 *
 * <p>Stateless and thread-safe.
 */
public final class Manifest {

    /** The field that holds the manifest's own checksum. */
    public static final String SEAL = "manifestSha256";

    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    private Manifest() {}

    /** The manifest of {@code point}, sealed. */
    public static byte[] bytes(RestorePoint point) {
        ObjectNode tree = Json.mapper().valueToTree(point);
        tree.put(SEAL, seal(tree));
        try {
            return Json.mapper().writeValueAsBytes(tree);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write the manifest of restore point " + point.id(), e);
        }
    }

    /**
     * The point in the manifest {@code file} holding {@code json}, once its seal and every field
     * are checked.
     *
     * @throws StoreException naming the file, the field and what was found
     */
    public static RestorePoint read(Path file, byte[] json) {
        JsonNode parsed;
        try {
            parsed = Json.mapper().readTree(json);
        } catch (IOException e) {
            throw damaged(file, "the JSON of a restore point", Json.problem(e));
        }
        if (!(parsed instanceof ObjectNode tree)) {
            throw damaged(file, "a JSON object", parsed == null ? "an empty file" : parsed.getNodeType().toString());
        }
        JsonNode recorded = tree.remove(SEAL);
        if (recorded == null || !recorded.isTextual()) {
            throw damaged(file, "its own checksum in field '" + SEAL + "'", recorded == null ? "none"
                    : "'" + recorded + "'");
        }
        String actual = seal(tree);
        if (!actual.equals(recorded.asText())) {
            throw damaged(file, "content whose SHA-256 is " + recorded.asText() + " (field '" + SEAL + "')",
                    "content whose SHA-256 is " + actual + ": the manifest was changed or damaged after it was written");
        }
        RestorePoint point;
        try {
            point = Json.mapper().treeToValue(tree, RestorePoint.class);
        } catch (IOException | IllegalArgumentException e) {
            throw damaged(file, "the fields of a restore point", e instanceof IOException io ? Json.problem(io)
                    : e.getMessage());
        }
        check(file, point);
        return point;
    }

    private static String seal(ObjectNode tree) {
        try {
            return Files2.sha256(Json.mapper().writer().without(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(tree));
        } catch (IOException e) {
            throw new IllegalStateException("cannot seal a manifest", e);
        }
    }

    /** Checks every field of a point read from {@code file}. */
    private static void check(Path file, RestorePoint p) {
        String folder = file.getParent() == null ? "" : file.getParent().getFileName().toString();
        if (!p.id().equals(folder)) {
            throw field(file, "id", "the name of the point's folder '" + folder + "'", p.id());
        }
        if (!NAME.matcher(p.plan()).matches()) {
            throw field(file, "plan", "a plan name (letters, digits, '.', '_', '-')", p.plan());
        }
        if (p.label().isBlank()) {
            throw field(file, "label", "a label", "an empty one");
        }
        if ((p.origin() == RestorePoint.Origin.SET_ASIDE) != (p.rollbackId() != null)) {
            throw field(file, "rollbackId", p.origin() == RestorePoint.Origin.SET_ASIDE
                    ? "the rollback that set the point aside" : "none for a captured point", String.valueOf(p.rollbackId()));
        }
        Set<String> targets = new HashSet<>();
        for (int i = 0; i < p.snapshots().size(); i++) {
            Snapshot s = p.snapshots().get(i);
            String at = "snapshots[" + i + "]";
            if (s == null) {
                throw field(file, at, "a snapshot", "null");
            }
            if (s.target() == null || !NAME.matcher(s.target()).matches()) {
                throw field(file, at + ".target", "a target name", String.valueOf(s.target()));
            }
            if (!targets.add(s.target())) {
                throw field(file, at + ".target", "one snapshot per target", "a second one of '" + s.target() + "'");
            }
            if (s.kind() == null) {
                throw field(file, at + ".kind", "one of " + java.util.Arrays.toString(dev.rollback.spi.TargetKind.values()),
                        "none");
            }
            for (Map.Entry<String, String> e : s.data().entrySet()) {
                if (e.getKey() == null || e.getValue() == null) {
                    throw field(file, at + ".data." + e.getKey(), "a text value", "null");
                }
            }
            Set<String> paths = new HashSet<>();
            for (int j = 0; j < s.artifacts().size(); j++) {
                Artifact a = s.artifacts().get(j);
                String af = at + ".artifacts[" + j + "]";
                if (a == null) {
                    throw field(file, af, "an artifact", "null");
                }
                if (!insideFolder(a.path())) {
                    throw field(file, af + ".path", "a relative path inside the target's folder", a.path());
                }
                if (!paths.add(a.path())) {
                    throw field(file, af + ".path", "each artifact once", "a second '" + a.path() + "'");
                }
                if (!SHA256.matcher(a.sha256()).matches()) {
                    throw field(file, af + ".sha256", "64 lower-case hex digits", a.sha256());
                }
            }
        }
    }

    /** Whether a path with {@code /} separators stays inside its folder: relative, no {@code ..}, no empty part. */
    public static boolean insideFolder(String path) {
        if (path.isEmpty() || path.startsWith("/") || path.contains("\\") || path.contains("\0")) {
            return false;
        }
        for (String part : path.split("/", -1)) {
            if (part.isEmpty() || part.equals(".") || part.equals("..")) {
                return false;
            }
        }
        return true;
    }

    private static StoreException field(Path file, String field, String expected, String found) {
        return damaged(file, "field '" + field + "' to be " + expected, "'" + found + "'");
    }

    private static StoreException damaged(Path file, String expected, String found) {
        return new StoreException("restore point manifest " + file + ": expected " + expected + ", found " + found
                + "; the point cannot be trusted: restore the file from a copy, or delete the point's folder "
                + (file.getParent() == null ? "" : file.getParent()) + " and roll back to another point", null);
    }
}
