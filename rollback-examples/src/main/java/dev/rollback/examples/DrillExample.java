package dev.rollback.examples;

import dev.rollback.FailurePolicy;
import dev.rollback.RestorePoint;
import dev.rollback.Rollback;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackReport;
import dev.rollback.spi.TargetKind;
import dev.rollback.check.HealthCheck;
import dev.rollback.host.Host;
import dev.rollback.host.Hosts;
import dev.rollback.targets.ConfigFiles;
import dev.rollback.targets.DirectoryBackup;
import dev.rollback.targets.Service;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The main example: the rollback drill of scenario 001 (the "Rosey bot"), on one machine with
 * embedded defaults. It installs release v1.0.0 of a small service in a temp folder (a release
 * directory like {@code /opt/rosey-bot}, a JSON config, a service run as its own process, serving a
 * page and {@code /health}), captures a restore point, deploys a bad release (a visible test banner
 * and a broken config, so health fails), rolls it back, proves the page and the health endpoint are
 * back and the logs written meanwhile survived, and prints the incident report.
 *
 * <pre>./mvnw -q -pl rollback-examples -am compile exec:java</pre>
 */
public final class DrillExample {

    private DrillExample() {}

    /** Runs the drill in a fresh temp folder and prints the report. */
    public static void main(String[] args) throws Exception {
        Path work = Files.createTempDirectory("rollback-drill-");
        RollbackReport report = drill(work);
        System.out.println(report.toMarkdown());
        System.out.println("Drill " + (report.isSuccessful() ? "passed" : "FAILED") + ": recovered in "
                + report.timeToRecover().toMillis() + " ms; restore points and reports are in " + work.resolve("backups"));
        if (!report.isSuccessful()) {
            System.exit(1);
        }
    }

    /** Runs the drill in {@code work} and returns the report of the rollback. */
    public static RollbackReport drill(Path work) throws Exception {
        Host host = Hosts.local();
        Path release = work.resolve("opt/rosey-bot");
        Path config = work.resolve("etc/rosey-bot/config.json");
        installRelease(release, config);
        int port = Demo.freePort();
        URI health = Demo.local(port, "/health");
        URI page = Demo.local(port, "/");
        Service bot = Demo.service("rosey-bot", port, release, config, work.resolve("run/rosey-bot.pid"),
                release.resolve("logs/bot.log"));
        bot.start(host);
        try {
            Demo.expectStatus(health, 200);

            // tag::tour[]
            RollbackPlan plan = Rollback.plan("rosey-bot")
                    .store(work.resolve("backups"))
                    .stop(bot.stopping())
                    .target(DirectoryBackup.of(release).excluding("logs").kind(TargetKind.CODE))
                    .target(ConfigFiles.of(config))
                    .start(bot.starting())
                    .verify(HealthCheck.http(health).expectStatus(200).jsonField("status", "healthy")
                            .attempts(40).every(Duration.ofMillis(250)))
                    .verify(HealthCheck.http(page).bodyDoesNotContain("ROLLBACK TEST"))
                    .verify(bot.running())
                    .onFailure(FailurePolicy.RESTORE_FAILED_STATE)
                    .recoveryBudget(Duration.ofMinutes(3))
                    .build();

            RestorePoint before = plan.capture("v1.0.0");          // before the deploy
            // end::tour[]

            deployBadRelease(host, bot, release, config);
            Demo.expectStatus(health, 500);
            String logsBefore = Files.readString(release.resolve("logs/bot.log"));

            // tag::rollback[]
            System.out.println(plan.preview(before));              // what will change, in order
            RollbackReport report = plan.rollback(before);         // put it all back, prove it
            // end::rollback[]

            Demo.require(!Demo.get(page).body().contains("ROLLBACK TEST"), "drill: the test banner should be gone");
            Demo.require(Files.readString(release.resolve("logs/bot.log")).startsWith(logsBefore),
                    "drill: the logs written before the rollback should survive it");
            return report;
        } finally {
            bot.stop(host);
        }
    }

    /** Release v1.0.0: the bot's code and page, an (excluded) log folder, and its config. */
    private static void installRelease(Path release, Path config) throws IOException {
        Files.createDirectories(release.resolve("public"));
        Files.createDirectories(release.resolve("bot"));
        Files.createDirectories(release.resolve("logs"));
        Files.createDirectories(config.getParent());
        Files.createDirectories(release.getParent().getParent().resolve("run"));
        Files.writeString(release.resolve("public/index.html"), "<html><title>Rosey</title><h1>Rosey bot</h1></html>\n");
        Files.writeString(release.resolve("bot/main.py"), "VERSION = '1.0.0'\n");
        Files.writeString(release.resolve("VERSION"), "1.0.0\n");
        Files.writeString(config, "{\n  \"mode\": \"production\",\n  \"channel\": \"movies\"\n}\n");
    }

    /** The team's deploy of a bad release: a visible banner, a broken config, a restart. */
    private static void deployBadRelease(Host host, Service bot, Path release, Path config) throws Exception {
        Files.writeString(release.resolve("public/index.html"),
                "<html><title>Rosey - ROLLBACK TEST</title><h1>Rosey bot [TEST DEPLOYMENT]</h1></html>\n");
        Files.writeString(release.resolve("bot/main.py"), "VERSION = '1.1.0'\nthis will cause error\n");
        Files.writeString(release.resolve("VERSION"), "1.1.0\n");
        Files.writeString(config, "{\n  \"mode\": \"debug-typo\",\n  \"channel\": \"movies\"\n}\n");
        bot.stop(host);
        bot.start(host);
    }
}
