package dev.rollback.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.FailurePolicy;
import dev.rollback.Outcome;
import dev.rollback.RestorePoint;
import dev.rollback.Resume;
import dev.rollback.Rollback;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackReport;
import dev.rollback.store.StoreException;
import dev.rollback.targets.DirectoryBackup;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A store (or live folder) on a real 1 MB tmpfs that fills up: at the lock's owner note, during
 * the set-aside, at a journal write, and while a restore copies a tree beside the live folder.
 * Each ends in an exception before any change or in a report through the failure policy, with the
 * services started again (except under HALT, which waits for resume by design), no lock kept, and
 * nothing half-written left.
 */
class StoreFullFaultTest {

    @TempDir
    Path root;

    SmallDisk disk;
    Path store;
    Path filler;

    @BeforeEach
    void mount() throws Exception {
        disk = SmallDisk.mount(root.resolve("disk"), "1m");
        store = disk.dir().resolve("store");
        Files.createDirectories(root.resolve("app"));
        Files.writeString(root.resolve("app/a.txt"), "a v1\n".repeat(2000));
        Files.writeString(root.resolve("app/b.txt"), "b v1\n".repeat(2000));
    }

    @AfterEach
    void unmount() throws Exception {
        if (disk != null) {
            disk.close();
        }
    }

    RollbackPlan plan(FailurePolicy policy) {
        return FullDiskPlan.build(root, store, policy, () -> { });
    }

    List<String> service() throws IOException {
        Path log = root.resolve("service.log");
        return Files.exists(log) ? Files.readAllLines(log) : List.of();
    }

    List<String> leftInStore() throws IOException {
        try (Stream<Path> s = Files.list(store.resolve("points"))) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".")).toList();
        }
    }

    /** The deploy that went bad: a changes, b grows past what the store can hold. */
    void deployTooBigForTheStore() throws IOException {
        Files.writeString(root.resolve("app/a.txt"), "a v2\n".repeat(2000));
        Files.writeString(root.resolve("app/b.txt"), "b v2, big\n".repeat(200_000));
    }

    @Test
    void shouldGiveTheLockBackWhenItsOwnerNoteCannotBeWritten() throws Exception {
        RollbackPlan plan = plan(FailurePolicy.HALT);
        plan.capture("v1");
        Map<String, String> before = Fingerprint.of(root.resolve("app"), store.resolve("points"));
        filler = disk.fill(0);

        assertThatThrownBy(() -> plan.capture("v2")).isInstanceOf(StoreException.class)
                .hasMessageContaining("owner note").hasMessageContaining("no lock is held")
                .hasMessageContaining("free space");
        assertThat(Fingerprint.of(root.resolve("app"), store.resolve("points"))).isEqualTo(before);

        disk.free(filler);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                FullDiskPlan.class.getName(), root.toString(), store.toString()).redirectErrorStream(true)
                .redirectOutput(root.resolve("child.log").toFile()).start();
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(child.exitValue()).as("another JVM captures while this one lives: "
                + Files.readString(root.resolve("child.log"))).isZero();
        RestorePoint v2 = plan.capture("v2");
        assertThat(plan.restorePoints()).extracting(RestorePoint::label).containsExactly("v1", "from another JVM", "v2");
        assertThat(plan.store().verify(v2)).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(FailurePolicy.class)
    void shouldReportAndStartTheServiceAgainWhenTheStoreFillsDuringTheSetAside(FailurePolicy policy) throws Exception {
        RollbackPlan plan = plan(policy);
        RestorePoint v1 = plan.capture("v1");
        deployTooBigForTheStore();
        Map<String, String> live = Fingerprint.of(root.resolve("app"));

        byte[] aV2 = Files.readAllBytes(root.resolve("app/a.txt"));

        RollbackReport report = plan.rollback(v1);

        assertThat(report.errors()).as(report.toMarkdown()).anySatisfy(e -> assertThat(e).contains("set aside b"));
        if (policy == FailurePolicy.CONTINUE) {
            // a was set aside, so it is rolled back; b could not be, so it is left as it was
            assertThat(Files.readString(root.resolve("app/a.txt"))).isEqualTo("a v1\n".repeat(2000));
            RestorePoint aside = plan.store().get(report.setAsidePointId());
            assertThat(Files.readAllBytes(plan.store().artifactDir(aside, "a").resolve("content"))).isEqualTo(aV2);
            Files.write(root.resolve("app/a.txt"), aV2);
        }
        assertThat(Fingerprint.of(root.resolve("app"))).as("nothing live was overwritten").isEqualTo(live);
        switch (policy) {
            case HALT -> {
                assertThat(report.outcome()).isEqualTo(Outcome.HALTED);
                assertThat(service()).as("halted: waits for resume").containsExactly("stop");
                RollbackReport undone = plan.resume(Resume.undoing());
                assertThat(undone.outcome()).as(undone.toMarkdown()).isEqualTo(Outcome.PUT_BACK);
                assertThat(service()).containsExactly("stop", "start");
            }
            case CONTINUE -> {
                assertThat(report.outcome()).as(report.toMarkdown()).isEqualTo(Outcome.COMPLETED_WITH_ERRORS);
                assertThat(service()).containsExactly("stop", "start");
            }
            case RESTORE_FAILED_STATE -> {
                assertThat(report.outcome()).as(report.toMarkdown()).isEqualTo(Outcome.PUT_BACK);
                assertThat(service()).containsExactly("stop", "start");
            }
        }
        assertThat(Fingerprint.of(root.resolve("app"))).isEqualTo(live);
        assertThat(leftInStore()).as("nothing half-written left in the store").isEmpty();
        assertThat(store.resolve("journals/shop.json")).doesNotExist();
        assertThat(disk.free()).as("the space of the half-made set-aside is given back").isGreaterThan(900_000);
    }

    @ParameterizedTest
    @EnumSource(FailurePolicy.class)
    void shouldFollowThePolicyWhenTheJournalCannotBeWritten(FailurePolicy policy) throws Exception {
        RestorePoint v1 = plan(policy).capture("v1");
        Files.writeString(root.resolve("app/a.txt"), "a v2\n".repeat(2000));
        Files.writeString(root.resolve("app/b.txt"), "b v2\n".repeat(2000));
        Map<String, String> live = Fingerprint.of(root.resolve("app"));
        Path[] filled = new Path[1];
        RollbackPlan plan = FullDiskPlan.build(root, store, policy, () -> filled[0] = disk.fill(0));

        RollbackReport report = plan.rollback(v1);

        assertThat(report.errors()).as(report.toMarkdown())
                .anySatisfy(e -> assertThat(e).contains("store: cannot write the journal", "No space left on device"));
        assertThat(Fingerprint.of(root.resolve("app"))).as("nothing live was overwritten").isEqualTo(live);
        switch (policy) {
            case HALT -> {
                assertThat(report.outcome()).isEqualTo(Outcome.HALTED);
                assertThat(service()).containsExactly("stop");
                disk.free(filled[0]);
                RollbackReport resumed = plan(policy).resume();
                assertThat(resumed.outcome()).as(resumed.toMarkdown()).isEqualTo(Outcome.SUCCEEDED);
                assertThat(Files.readString(root.resolve("app/b.txt"))).isEqualTo("b v1\n".repeat(2000));
                assertThat(service()).endsWith("start");
            }
            case CONTINUE -> {
                assertThat(report.outcome()).isEqualTo(Outcome.COMPLETED_WITH_ERRORS);
                assertThat(service()).containsExactly("stop", "start");
            }
            case RESTORE_FAILED_STATE -> {
                assertThat(report.outcome()).isEqualTo(Outcome.PUT_BACK);
                assertThat(service()).containsExactly("stop", "start");
            }
        }
        if (policy != FailurePolicy.HALT) {
            assertThat(leftInStore()).as("nothing half-written left in the store").isEmpty();
            disk.free(filled[0]);
            RollbackReport again = plan(policy).rollback(v1);
            assertThat(again.outcome()).as("no lock or journal was left: " + again.toMarkdown())
                    .isEqualTo(Outcome.SUCCEEDED);
        }
    }

    @ParameterizedTest
    @EnumSource(value = FailurePolicy.class, names = {"HALT", "RESTORE_FAILED_STATE"})
    void shouldRemoveTheHalfMadeCopyBesideTheLiveFolderWhenTheDiskFills(FailurePolicy policy) throws Exception {
        Path app = disk.dir().resolve("app");
        Files.createDirectories(app);
        for (int i = 0; i < 6; i++) {
            Files.write(app.resolve("v1-" + i + ".bin"), bytes(100_000, i));
        }
        RollbackPlan plan = Rollback.plan("site").store(root.resolve("store")).onFailure(policy)
                .target(DirectoryBackup.of(app).named("site")).build();
        RestorePoint v1 = plan.capture("v1");
        for (int i = 0; i < 6; i++) {
            Files.delete(app.resolve("v1-" + i + ".bin"));
        }
        for (int i = 0; i < 3; i++) {
            Files.write(app.resolve("v2-" + i + ".bin"), bytes(100_000, 10 + i));
        }
        filler = disk.fill(450_000);
        Map<String, String> live = Fingerprint.of(app);

        RollbackReport report = plan.rollback(v1);

        assertThat(report.outcome()).as(report.toMarkdown())
                .isEqualTo(policy == FailurePolicy.HALT ? Outcome.HALTED : Outcome.PUT_BACK);
        assertThat(report.errors()).anySatisfy(e -> assertThat(e).contains("restore site"));
        assertThat(Fingerprint.of(app)).as("the live folder is as it was, byte for byte").isEqualTo(live);
        try (Stream<Path> beside = Files.list(disk.dir())) {
            assertThat(beside.map(p -> p.getFileName().toString())).as("no half-made copy beside the folder")
                    .noneMatch(n -> n.contains(".rollback-"));
        }
        if (policy == FailurePolicy.HALT) {
            disk.free(filler);
            RollbackReport resumed = plan.resume();
            assertThat(resumed.outcome()).as(resumed.toMarkdown()).isEqualTo(Outcome.SUCCEEDED);
            for (int i = 0; i < 6; i++) {
                assertThat(app.resolve("v1-" + i + ".bin")).hasBinaryContent(bytes(100_000, i));
            }
        }
    }

    static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        new java.util.Random(seed).nextBytes(b);
        return b;
    }
}
