package dev.rollback.examples;

import dev.rollback.Rollback;
import dev.rollback.Trigger;
import dev.rollback.check.HealthCheck;
import dev.rollback.fleet.Fleet;
import dev.rollback.fleet.FleetPoint;
import dev.rollback.fleet.FleetReport;
import dev.rollback.fleet.FleetWatchReport;
import dev.rollback.fleet.FleetWatchdog;
import dev.rollback.fleet.Waves;
import dev.rollback.host.Host;
import dev.rollback.targets.ConfigFiles;
import dev.rollback.targets.DirectoryBackup;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * One plan over a fleet of web servers (the README's "A fleet of servers"): captured on every server before the
 * deploy, watched after it, and rolled back in waves; the fleet tests of {@code rollback-ssh} run the same shape on
 * 20 real SSH servers.
 */
public final class FleetRollback {

    private FleetRollback() {}

    /** What takes servers out of traffic and puts them back, such as a load balancer's API. */
    public interface LoadBalancer {
        /** Takes the servers out of traffic. */
        void drain(List<Host> servers);

        /** Puts the servers back into traffic. */
        void enable(List<Host> servers);
    }

    /**
     * Captures every server before a deploy, runs the deploy, then rolls the fleet back in waves, draining each
     * wave from the load balancer around its restore, and resumes the servers a first pass did not bring back.
     */
    public static FleetReport rollBack(List<Host> servers, LoadBalancer loadBalancer, Runnable deploy) {
        Fleet web = Fleet.of("web", servers, server -> Rollback.plan("web").on(server)
                .store(Path.of("/var/lib/rollback/web"))
                .target(DirectoryBackup.of(Path.of("/srv/web/release")))
                .target(ConfigFiles.of(Path.of("/etc/web/app.env")))
                .build()).maxParallel(10);
        FleetPoint before = web.capture("v2.0.0");                        // on every server, in parallel
        deploy.run();
        FleetReport report = web.rollback(before, Waves.canary(1).thenBatches(10).stopAfterFailures(2)
                .beforeEachWave((n, wave) -> loadBalancer.drain(wave))
                .afterEachWave((n, wave) -> loadBalancer.enable(wave)));
        FleetReport rest = web.resume(before, Waves.canary(1));            // only the servers not back yet
        return report.isSuccessful() ? report : rest;
    }

    /** Watches the fleet after a deploy: a server whose trigger fires alone, the whole fleet past 30%. */
    public static FleetWatchReport watch(Fleet web, FleetPoint before) {
        return FleetWatchdog.of(web, before)
                .probe(server -> HealthCheck.http(URI.create("http://" + server.name() + ":3000/health"))
                        .expectStatus(200))
                .every(Duration.ofSeconds(30))
                .rollBackWhen(Trigger.consecutiveFailures(3))         // one server failing: that server
                .rollBackFleetWhenFailing(0.3)                        // 30% of them: the whole fleet, in waves
                .waves(Waves.canary(1).thenBatches(10))
                .watchFor(Duration.ofMinutes(30))
                .run();
    }
}
