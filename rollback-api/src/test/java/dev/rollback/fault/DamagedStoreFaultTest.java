package dev.rollback.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rollback.Outcome;
import dev.rollback.PreflightFailedException;
import dev.rollback.spi.Problem;
import dev.rollback.RestorePoint;
import dev.rollback.Rollback;
import dev.rollback.error.RollbackException;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackReport;
import dev.rollback.spi.Step;
import dev.rollback.internal.engine.Json;
import dev.rollback.internal.engine.Manifest;
import dev.rollback.testing.FileTarget;
import dev.rollback.targets.ConfigFiles;
import dev.rollback.targets.DirectoryBackup;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A restore point damaged in the store after its capture: its sealed manifest changed (a flipped
 * bit, fields edited with or without a new seal, removed, truncated) or its stored tree changed (a
 * link retargeted, a folder made a link, an entry added or removed, a file made setuid). Every case
 * is refused before anything changes: every live file has the same fingerprint after as before,
 * no service was stopped, no journal was written.
 */
class DamagedStoreFaultTest {

    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path root;

    Path live;
    Path release;
    RollbackPlan plan;
    RestorePoint v1;

    @BeforeEach
    void captureThenDeploy() throws IOException {
        live = Files.createDirectories(root.resolve("live"));
        release = Files.createDirectories(live.resolve("release"));
        Files.createDirectories(release.resolve("bin"));
        Files.createDirectories(release.resolve("empty"));
        Files.writeString(release.resolve("bin/run"), "#!/bin/sh\necho v1\n");
        Files.setPosixFilePermissions(release.resolve("bin/run"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(release.resolve("VERSION"), "v1\n");
        Files.createSymbolicLink(release.resolve("start"), Path.of("bin/run"));
        Files.writeString(live.resolve("app.env"), "MODE=v1\n");
        Files.writeString(live.resolve("db.bin"), "rows of v1\n");
        Path service = root.resolve("service.log");
        plan = Rollback.plan("shop").store(root.resolve("store"))
                .stop(Step.of("stop", ctx -> Files.writeString(service, "stop\n", StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND)))
                .target(ConfigFiles.of(live.resolve("app.env")).named("config"))
                .target(DirectoryBackup.of(release).named("release"))
                .target(new FileTarget("db", live.resolve("db.bin")))
                .start(Step.of("start", ctx -> Files.writeString(service, "start\n", StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND)))
                .build();
        v1 = plan.capture("v1");
        Files.writeString(release.resolve("VERSION"), "v2\n");
        Files.writeString(release.resolve("bin/run"), "#!/bin/sh\necho v2\n");
        Files.writeString(live.resolve("app.env"), "MODE=v2\n");
        Files.writeString(live.resolve("db.bin"), "rows of v2, and rows users wrote since\n");
    }

    Path manifest() {
        return plan.store().pointDir(v1.id()).resolve("manifest.json");
    }

    Path stored(String path) {
        return plan.store().artifactDir(v1, "release").resolve("tree").resolve(path);
    }

    /** Edits the manifest's JSON; with {@code reseal}, writes a valid seal over the edit. */
    void edit(boolean reseal, Consumer<ObjectNode> change) throws IOException {
        ObjectNode tree = (ObjectNode) JSON.readTree(Files.readAllBytes(manifest()));
        change.accept(tree);
        if (reseal) {
            tree.remove(Manifest.SEAL);
            Files.write(manifest(), Manifest.bytes(Json.read(tree.toString(), RestorePoint.class)));
        } else {
            Files.write(manifest(), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(tree));
        }
    }

    static ObjectNode data(ObjectNode manifest, String target) {
        for (JsonNode s : manifest.get("snapshots")) {
            if (s.get("target").asText().equals(target)) {
                return (ObjectNode) s.get("data");
            }
        }
        throw new IllegalArgumentException(target);
    }

    static ObjectNode artifact(ObjectNode manifest, String target, int i) {
        for (JsonNode s : manifest.get("snapshots")) {
            if (s.get("target").asText().equals(target)) {
                return (ObjectNode) s.get("artifacts").get(i);
            }
        }
        throw new IllegalArgumentException(target);
    }

    /** Where a damage is found: when the manifest is read, by the target's preflight, or by the tree check. */
    enum FoundBy { READ, FIELD, TREE }

    /** The damages, each with where it is found and a piece of the message that must name it. */
    enum Damage {
        FLIPPED_BIT(FoundBy.READ, "content whose SHA-256 is"),
        ABSENT_ADDED_WITHOUT_SEAL(FoundBy.READ, "content whose SHA-256 is"),
        ABSENT_ADDED_AND_RESEALED(FoundBy.FIELD, "also holds a stored tree"),
        ABSENT_NOT_A_BOOLEAN(FoundBy.FIELD, "expected field 'absent' to be true or false, found 'yes'"),
        MODE_NOT_OCTAL(FoundBy.FIELD, "expected field 'file.0.mode' to be a file mode in octal from 0 to 7777, found 'rwx'"),
        MODE_OUT_OF_RADIX(FoundBy.FIELD, "expected field 'file.0.mode' to be a file mode in octal from 0 to 7777, found '99'"),
        COUNT_NOT_A_NUMBER(FoundBy.FIELD, "expected field 'files' to be a whole number from 0 to 1, found 'x'"),
        FORMAT_UNKNOWN(FoundBy.FIELD, "expected field 'file.0.format' to be one of"),
        ARTIFACT_PATH_LEAVES_FOLDER(FoundBy.READ, "field 'snapshots[0].artifacts[0].path' to be a relative path inside"),
        ARTIFACT_SHA_NOT_HEX(FoundBy.READ, "field 'snapshots[2].artifacts[0].sha256' to be 64 lower-case hex digits"),
        SEAL_REMOVED(FoundBy.READ, "its own checksum in field 'manifestSha256', found none"),
        TRUNCATED(FoundBy.READ, "at line"),
        DELETED(FoundBy.READ, "expected a manifest.json, found none"),
        TREE_RECORD_REMOVED(FoundBy.READ, "content whose SHA-256 is"),
        LINK_RETARGETED(FoundBy.TREE, "tree/start: link to bin/run now points to /etc/passwd"),
        FOLDER_MADE_A_LINK(FoundBy.TREE, "tree/bin: dir 0755 became a link 0777 -> "),
        FILE_ADDED(FoundBy.TREE, "tree/bin/extra: file 0644 was added"),
        FILE_MADE_SETUID(FoundBy.TREE, "tree/bin/run: mode 0755 became 4777"),
        EMPTY_FOLDER_REMOVED(FoundBy.TREE, "tree/empty: dir 0755 was removed"),
        CONTENT_CHANGED(FoundBy.TREE, "the artifact is corrupted");

        final FoundBy by;
        final String named;

        Damage(FoundBy by, String named) {
            this.by = by;
            this.named = named;
        }
    }

    void damage(Damage d) throws IOException {
        switch (d) {
            case FLIPPED_BIT -> {
                byte[] b = Files.readAllBytes(manifest());
                String text = new String(b, StandardCharsets.UTF_8);
                int at = text.indexOf("\"v1\"") + 2; // the label's digit
                b[at] ^= 0x02; // '1' -> '3'
                Files.write(manifest(), b);
            }
            case ABSENT_ADDED_WITHOUT_SEAL -> edit(false, m -> data(m, "release").put("absent", "true"));
            case ABSENT_ADDED_AND_RESEALED -> edit(true, m -> data(m, "release").put("absent", "true"));
            case ABSENT_NOT_A_BOOLEAN -> edit(true, m -> data(m, "release").put("absent", "yes"));
            case MODE_NOT_OCTAL -> edit(true, m -> data(m, "config").put("file.0.mode", "rwx"));
            case MODE_OUT_OF_RADIX -> edit(true, m -> data(m, "config").put("file.0.mode", "99"));
            case COUNT_NOT_A_NUMBER -> edit(true, m -> data(m, "config").put("files", "x"));
            case FORMAT_UNKNOWN -> edit(true, m -> data(m, "config").put("file.0.format", "XML"));
            case ARTIFACT_PATH_LEAVES_FOLDER -> edit(true, m -> artifact(m, "config", 0).put("path", "../../../../live/app.env"));
            case ARTIFACT_SHA_NOT_HEX -> edit(true, m -> artifact(m, "db", 0).put("sha256", "ABC"));
            case SEAL_REMOVED -> edit(false, m -> m.remove(Manifest.SEAL));
            case TRUNCATED -> {
                byte[] b = Files.readAllBytes(manifest());
                Files.write(manifest(), java.util.Arrays.copyOf(b, b.length / 2));
            }
            case DELETED -> Files.delete(manifest());
            case TREE_RECORD_REMOVED -> edit(false, m -> {
                for (JsonNode s : m.get("snapshots")) {
                    ((ObjectNode) s).remove("tree");
                }
            });
            case LINK_RETARGETED -> {
                Files.delete(stored("start"));
                Files.createSymbolicLink(stored("start"), Path.of("/etc/passwd"));
            }
            case FOLDER_MADE_A_LINK -> {
                Path outside = Files.createDirectories(root.resolve("outside-copy"));
                Files.writeString(outside.resolve("run"), "#!/bin/sh\nrm -rf /\n");
                Files.move(stored("bin"), root.resolve("moved-bin"));
                Files.createSymbolicLink(stored("bin"), outside);
            }
            case FILE_ADDED -> Files.writeString(stored("bin/extra"), "not captured\n");
            case FILE_MADE_SETUID -> Files.setAttribute(stored("bin/run"), "unix:mode", 04777);
            case EMPTY_FOLDER_REMOVED -> Files.delete(stored("empty"));
            case CONTENT_CHANGED -> Files.writeString(stored("VERSION"), "v6\n");
        }
    }

    @ParameterizedTest
    @EnumSource(Damage.class)
    void shouldRefuseADamagedPointBeforeAnythingChanges(Damage d) throws Exception {
        Map<String, String> before = Fingerprint.of(live);
        damage(d);

        // the point in hand, as a user who read it before the damage holds it: refused as damaged, or as no
        // longer what its manifest records
        assertThatThrownBy(() -> plan.rollback(v1)).as(d.name()).isInstanceOf(PreflightFailedException.class)
                .satisfies(e -> assertThat(((PreflightFailedException) e).problems()).extracting(Problem::toString)
                        .anySatisfy(p -> assertThat(p).containsAnyOf(d.named, "whose snapshots differ from them")));
        assertThat(plan.preview(v1).problems()).as("preview names it too").isNotEmpty();
        // and read again from the store
        if (d.by == FoundBy.READ) {
            assertThatThrownBy(() -> plan.store().get(v1.id())).as(d.name()).isInstanceOf(RollbackException.class)
                    .hasMessageContaining(manifest().getParent().toString()).hasMessageContaining(d.named);
            assertThatThrownBy(() -> plan.restorePoints()).isInstanceOf(RollbackException.class)
                    .hasMessageContaining(d.named);
        } else {
            RestorePoint read = plan.store().get(v1.id());
            if (d.by == FoundBy.TREE) {
                assertThat(plan.store().verify(read)).extracting(Problem::toString)
                        .anySatisfy(p -> assertThat(p).contains(d.named));
            }
            assertThatThrownBy(() -> plan.rollback(read)).isInstanceOf(PreflightFailedException.class)
                    .satisfies(e -> assertThat(((PreflightFailedException) e).problems()).extracting(Problem::toString)
                            .anySatisfy(p -> assertThat(p).contains(d.named)));
            if (d.by == FoundBy.FIELD) {
                assertThatThrownBy(() -> plan.rollback(read)).hasMessageContaining(manifest().toString());
            }
        }

        assertThat(Fingerprint.of(live)).as("every live file as it was: " + d).isEqualTo(before);
        assertThat(root.resolve("service.log")).as("no service was stopped").doesNotExist();
        assertThat(root.resolve("store/journals/shop.json")).doesNotExist();
    }

    @Test
    void shouldStillRollBackAnIntactPointByteForByte() throws Exception {
        RollbackReport report = plan.rollback(plan.store().get(v1.id()));

        assertThat(report.outcome()).as(report.toMarkdown()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(Files.readString(release.resolve("VERSION"))).isEqualTo("v1\n");
        assertThat(Files.readSymbolicLink(release.resolve("start"))).isEqualTo(Path.of("bin/run"));
        assertThat(release.resolve("empty")).isEmptyDirectory();
        assertThat(Files.readString(live.resolve("db.bin"))).isEqualTo("rows of v1\n");
    }
}
