package dev.rollback;

import dev.rollback.store.RollbackInProgressException;

import dev.rollback.store.StoreException;

import dev.rollback.spi.TargetKind;

import dev.rollback.spi.Snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.internal.Files2;
import dev.rollback.testing.FileTarget;
import dev.rollback.testing.MemoryTarget;
import dev.rollback.testing.TestClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RestorePointStoreTest {

    @TempDir
    Path dir;

    final TestClock clock = new TestClock();
    final List<String> log = new ArrayList<>();

    RollbackPlan plan(Path file, int keepLast) {
        RollbackPlanBuilder b = Rollback.plan("app").store(dir.resolve("store")).clock(clock)
                .target(new FileTarget("config", file));
        if (keepLast > 0) {
            b.keepLast(keepLast);
        }
        return b.build();
    }

    RestorePoint capture(RollbackPlan plan, String label) {
        clock.advance(Duration.ofMinutes(1));
        return plan.capture(label);
    }

    @Test
    void shouldRecordEveryArtifactWithItsChecksumAndKeepItOwnerOnly() throws Exception {
        Path file = Files.writeString(dir.resolve("app.json"), "{\"release\":\"v1\"}");
        RollbackPlan plan = plan(file, 0);

        RestorePoint point = capture(plan, "v1");

        Snapshot s = point.snapshot("config").orElseThrow();
        assertThat(s.kind()).isEqualTo(TargetKind.FILES);
        assertThat(s.artifacts()).singleElement().satisfies(a -> {
            assertThat(a.path()).isEqualTo("content");
            assertThat(a.size()).isEqualTo(16);
            assertThat(a.sha256()).isEqualTo(Files2.sha256(Files.readAllBytes(file)));
        });
        Path pointDir = plan.store().pointDir(point.id());
        for (Path p : List.of(dir.resolve("store"), dir.resolve("store/points"), pointDir, pointDir.resolve("artifacts"),
                pointDir.resolve("artifacts/config"))) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p))).as(p.toString()).isEqualTo("rwx------");
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(pointDir.resolve("manifest.json"))))
                .isEqualTo("rw-------");
        assertThat(plan.store().get(point.id())).isEqualTo(point);
        assertThat(plan.store().verify(point)).isEmpty();
        try (Stream<Path> left = Files.list(dir.resolve("store/points"))) {
            assertThat(left).extracting(p -> p.getFileName().toString()).containsExactly(point.id());
        }
    }

    @Test
    void shouldListFindAndDeletePointsByIdAndLabel() throws Exception {
        Path file = Files.writeString(dir.resolve("app.json"), "{}");
        RollbackPlan plan = plan(file, 0);
        RestorePoint v1 = capture(plan, "v1.0.0");
        RestorePoint v2 = capture(plan, "v2.0.0");
        RestorePoint v2again = capture(plan, "v2.0.0");
        RestorePointStore store = plan.store();

        assertThat(store.list("app")).containsExactly(v1, v2, v2again);
        assertThat(store.latest("app")).contains(v2again);
        assertThat(store.findByLabel("app", "v2.0.0")).contains(v2again);
        assertThat(store.findByLabel("app", "v9")).isEmpty();
        assertThat(store.find("../../etc")).isEmpty();
        assertThat(store.list("other")).isEmpty();

        store.delete(v2.id());

        assertThat(store.list("app")).containsExactly(v1, v2again);
        assertThat(plan.store().pointDir(v2.id())).doesNotExist();
        assertThatThrownBy(() -> store.get(v2.id())).isInstanceOf(RestorePointNotFoundException.class)
                .hasMessageContaining(v2.id()).hasMessageContaining("store.list(plan)");
    }

    @Test
    void shouldMarkAPointBadWithWhoWhenAndWhy() throws Exception {
        RollbackPlan plan = plan(Files.writeString(dir.resolve("a"), "x"), 0);
        RestorePoint v1 = capture(plan, "v1");
        RestorePoint v2 = capture(plan, "v2");

        RestorePoint marked = plan.store().markBad(v2.id(), "alice", "login broken");

        assertThat(marked.bad()).isEqualTo(new BadMark("alice", clock.instant(), "login broken"));
        assertThat(plan.store().get(v2.id()).isBad()).isTrue();
        assertThat(plan.store().latest("app")).contains(marked);
        assertThat(plan.store().latestGood("app")).contains(v1);
        assertThatThrownBy(() -> plan.store().markBad(v2.id(), "", "x")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldKeepTheLastNPointsAfterEachCapture() throws Exception {
        RollbackPlan plan = plan(Files.writeString(dir.resolve("a"), "x"), 2);
        RestorePoint v1 = capture(plan, "v1");
        RestorePoint v2 = capture(plan, "v2");
        RestorePoint v3 = capture(plan, "v3");
        RestorePoint v4 = capture(plan, "v4");

        assertThat(plan.restorePoints()).containsExactly(v3, v4);
        assertThat(plan.store().pointDir(v1.id())).doesNotExist();
        assertThat(plan.store().pointDir(v2.id())).doesNotExist();
    }

    @Test
    void shouldNeverDeleteTheNewestGoodPoint() throws Exception {
        RollbackPlan plan = plan(Files.writeString(dir.resolve("a"), "x"), 0);
        RestorePoint v1 = capture(plan, "v1");
        RestorePoint v2 = capture(plan, "v2");
        RestorePoint v3 = capture(plan, "v3");
        RestorePoint v4 = capture(plan, "v4");
        plan.store().markBad(v3.id(), "ops", "bad");
        plan.store().markBad(v4.id(), "ops", "bad");

        List<RestorePoint> deleted = plan.store().retain("app", 2);

        assertThat(deleted).extracting(RestorePoint::id).containsExactly(v1.id());
        assertThat(plan.restorePoints()).extracting(RestorePoint::id).containsExactly(v2.id(), v3.id(), v4.id());
    }

    @Test
    void shouldNeverDeleteAPointThatAnUnfinishedRollbackUses() throws Exception {
        MemoryTarget db = new MemoryTarget("db", "one", log);
        RollbackPlan plan = Rollback.plan("app").store(dir.resolve("store")).clock(clock).target(db).build();
        RestorePoint v1 = capture(plan, "v1");
        capture(plan, "v2");
        capture(plan, "v3");
        db.failRestore = true;
        RollbackReport halted = plan.rollback(v1);
        assertThat(halted.outcome()).isEqualTo(Outcome.HALTED);

        plan.store().retain("app", 1);

        assertThat(plan.store().find(v1.id())).isPresent();
        assertThatThrownBy(() -> plan.store().delete(v1.id())).isInstanceOf(RollbackInProgressException.class)
                .hasMessageContaining("unfinished rollback");
        plan.resume(Resume.abandoning());
        plan.store().delete(v1.id());
        assertThat(plan.store().find(v1.id())).isEmpty();
    }

    @Test
    void shouldNameADamagedManifestWithItsPathAndPositionWhenListingOrReading() throws Exception {
        RollbackPlan plan = plan(Files.writeString(dir.resolve("a"), "x"), 0);
        RestorePoint v1 = capture(plan, "v1");
        capture(plan, "v2");
        Path manifest = plan.store().pointDir(v1.id()).resolve("manifest.json");
        Files.writeString(manifest, "{ not json");

        assertThatThrownBy(plan::restorePoints).isInstanceOf(StoreException.class)
                .hasMessageContaining("found 1 damaged").hasMessageContaining(manifest.toString())
                .hasMessageContaining("line 1, column 3").hasMessageNotContaining("REDACTED");
        assertThatThrownBy(() -> plan.store().get(v1.id())).isInstanceOf(StoreException.class)
                .hasMessageContaining(manifest.toString()).hasMessageContaining("delete the point's folder");
    }

    @Test
    void shouldNotLetAPointWhoseManifestWasDeletedVanishFromTheList() throws Exception {
        RollbackPlan plan = plan(Files.writeString(dir.resolve("a"), "x"), 0);
        RestorePoint v1 = capture(plan, "v1");
        capture(plan, "v2");
        Files.delete(plan.store().pointDir(v1.id()).resolve("manifest.json"));

        assertThatThrownBy(plan::restorePoints).isInstanceOf(StoreException.class)
                .hasMessageContaining(plan.store().pointDir(v1.id()).toString())
                .hasMessageContaining("expected a manifest.json, found none");
    }

    @Test
    void shouldRefuseAPointWhoseArtifactIsMissing() throws Exception {
        Path file = Files.writeString(dir.resolve("a"), "x");
        RollbackPlan plan = plan(file, 0);
        RestorePoint v1 = capture(plan, "v1");
        Files.delete(plan.store().artifactDir(v1, "config").resolve("content"));

        assertThat(plan.store().verify(v1)).singleElement()
                .satisfies(p -> assertThat(p.message()).contains("no such file").contains("another restore point"));
        assertThatThrownBy(() -> plan.rollback(v1)).isInstanceOf(PreflightFailedException.class);
    }
}
