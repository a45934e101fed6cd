package dev.rollback.examples.systems;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.Outcome;
import dev.rollback.RollbackReport;
import dev.rollback.TargetState;
import dev.rollback.WatchReport;
import dev.rollback.host.Hosts;
import dev.rollback.testing.Requirements;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TaylorDashExampleTest {

    @TempDir
    Path work;

    @Test
    void shouldRollTheBackendBackAloneWhenItFailsThreeReadinessProbesInARow() throws Exception {
        Requirements.require(Requirements.onPath("docker") && Hosts.local().run("docker", "version").succeeded(),
                "a running Docker engine (.ci/setup-docker.sh)");
        Requirements.require(Requirements.onPath("docker-compose"), "docker-compose (.ci/setup-docker.sh)");
        Requirements.require(Files.isExecutable(Path.of("/usr/bin/busybox")), "busybox-static (.ci/setup-docker.sh)");

        WatchReport watch = TaylorDashExample.run(work);

        assertThat(watch.outcome()).as(watch.toString()).isEqualTo(WatchReport.Outcome.ROLLED_BACK);
        assertThat(watch.reason()).contains("3 consecutive failures");
        assertThat(watch.failures()).hasSize(3);
        RollbackReport report = watch.rollback();
        assertThat(report.outcome()).as(report.toString()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(report.target("backend").orElseThrow().state()).isEqualTo(TargetState.VERIFIED);
        assertThat(report.target("frontend").orElseThrow().state()).isEqualTo(TargetState.OUT_OF_SCOPE);
        assertThat(work.resolve("taylordash/.env")).content().startsWith("RELEASE=v1");
        assertThat(report.toJson()).doesNotContain("t4ylor-dash-db");
    }
}
