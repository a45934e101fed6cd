package dev.rollback.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.HistoryEntry;
import dev.rollback.RestorePoint;
import dev.rollback.RestorePointStore;
import dev.rollback.Rollback;
import dev.rollback.RollbackPlan;
import dev.rollback.host.Hosts;
import dev.rollback.testing.FileTarget;
import dev.rollback.testing.Trees;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store shared through records in another folder of this machine: what the shared records hold, the format they
 * carry, the history, and the lock rules that do not need a second machine (those are in rollback-ssh's team tests).
 */
class SharedStoreTest {

    @TempDir
    Path dir;

    private RollbackPlan plan(String machine) {
        RestorePointStore store = RestorePointStore.at(dir.resolve(machine))
                .sharedWith(StoreBackend.onHost(Hosts.local(), dir.resolve("records")));
        return Rollback.plan("app").store(store).target(new FileTarget("config", dir.resolve("config.txt"))).build();
    }

    @Test
    void shouldKeepManifestsReportsAndHistoryInTheSharedRecords() throws Exception {
        Files.writeString(dir.resolve("config.txt"), "v1\n");
        RollbackPlan plan = plan("a");
        RestorePoint v1 = plan.capture("v1");
        Files.writeString(dir.resolve("config.txt"), "v2\n");
        String rollbackId = plan.rollback(v1).rollbackId();
        plan.store().markBad(v1.id(), "ops", "500s after the rollback");

        StoreBackend records = plan.store().sharedRecords().orElseThrow();
        assertThat(records.list("")).contains("format.json", "points/" + v1.id() + "/manifest.json",
                "reports/app/" + rollbackId + ".json");
        assertThat(records.read("journals/app.json")).isEmpty();
        assertThat(records.read("points/" + v1.id() + "/manifest.json")).hasValue(
                Files.readAllBytes(dir.resolve("a/points").resolve(v1.id()).resolve("manifest.json")));
        assertThat(plan.activity()).extracting(HistoryEntry::what)
                .containsExactly("capture", "rollback", "rollback", "mark-bad");
        assertThat(plan.activity().get(3).detail()).isEqualTo("ops: 500s after the rollback");
        assertThat(plan("b").restorePoints()).hasSize(2) // the point and the state the rollback set aside
                .filteredOn(p -> !p.isSetAside()).singleElement().satisfies(p -> assertThat(p.isBad()).isTrue());
    }

    @Test
    void shouldRefuseRecordsOfANewerFormatAndChangeNothing() throws Exception {
        Files.writeString(dir.resolve("config.txt"), "v1\n");
        RollbackPlan plan = plan("a");
        plan.capture("v1");
        StoreBackend records = StoreBackend.onHost(Hosts.local(), dir.resolve("records"));
        records.write("format.json", "{\"format\":\"2\"}".getBytes(StandardCharsets.UTF_8));
        var before = Trees.fingerprint(dir);

        RollbackPlan other = plan("b");
        assertThatThrownBy(other::restorePoints).isInstanceOf(StoreException.class)
                .hasMessageContaining("expected records of format 1, found format 2")
                .hasMessageContaining("upgrade the library");
        assertThatThrownBy(() -> other.capture("v2")).isInstanceOf(StoreException.class)
                .hasMessageContaining("found format 2");
        assertThat(Trees.fingerprint(dir)).isEqualTo(before);
    }

    @Test
    void shouldRefuseToBreakTheLockOfALiveHolderOnThisMachineAndSayWhenItIsFree() throws Exception {
        Files.writeString(dir.resolve("config.txt"), "v1\n");
        RollbackPlan plan = plan("a");
        assertThat(plan.breakLock("nobody holds it")).isEmpty();
        assertThatThrownBy(() -> plan.breakLock(" ")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("reason");
        assertThat(plan.activity()).isEmpty();
    }
}
