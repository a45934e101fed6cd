package dev.rollback;

import dev.rollback.store.RollbackInProgressException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.testing.MemoryTarget;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlanLockTest {

    @TempDir
    Path dir;

    @Test
    void shouldRefuseASecondRollbackWhileOneIsRunning() throws Exception {
        List<String> log = Collections.synchronizedList(new ArrayList<>());
        MemoryTarget db = new MemoryTarget("db", "good", log);
        RollbackPlan plan = Rollback.plan("app").store(dir.resolve("store")).target(db).build();
        RestorePoint before = plan.capture("v1");
        db.value = "bad";
        CountDownLatch inRestore = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        db.duringRestore = () -> {
            inRestore.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        CompletableFuture<RollbackReport> first = CompletableFuture.supplyAsync(() -> plan.rollback(before));
        assertThat(inRestore.await(30, TimeUnit.SECONDS)).isTrue();

        try {
            assertThatThrownBy(() -> plan.rollback(before)).isInstanceOf(RollbackInProgressException.class)
                    .hasMessageContaining("process " + ProcessHandle.current().pid())
                    .hasMessageContaining("wait for it to finish");
            assertThatThrownBy(() -> plan.capture("v2")).isInstanceOf(RollbackInProgressException.class);
            assertThatThrownBy(() -> plan.store().delete(before.id())).isInstanceOf(RollbackInProgressException.class);
            assertThatThrownBy(() -> plan.store().retain("app", 1)).isInstanceOf(RollbackInProgressException.class);
        } finally {
            release.countDown();
        }

        assertThat(first.get(30, TimeUnit.SECONDS).isSuccessful()).isTrue();
        assertThat(log).containsOnlyOnce("restore db");
        db.duringRestore = () -> {};
        assertThat(plan.rollback(before).isSuccessful()).isTrue();
    }
}
