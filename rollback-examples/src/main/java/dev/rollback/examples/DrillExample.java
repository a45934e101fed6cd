package dev.rollback.examples;

import dev.rollback.FailurePolicy;
import dev.rollback.RestorePoint;
import dev.rollback.Rollback;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackReport;
import dev.rollback.TargetKind;
import dev.rollback.check.HealthCheck;
import dev.rollback.host.Host;
import dev.rollback.host.Hosts;
import dev.rollback.target.ConfigFiles;
import dev.rollback.target.Directory;
import dev.rollback.target.Service;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

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
        int port = freePort();
        URI health = URI.create("http://127.0.0.1:" + port + "/health");
        URI page = URI.create("http://127.0.0.1:" + port + "/");
        Service bot = Service.process("rosey-bot", List.of(javaProgram(), "-cp", classesOf(DemoService.class),
                DemoService.class.getName(), Integer.toString(port), release.toString(), config.toString()),
                work.resolve("run/rosey-bot.pid"))
                .logTo(release.resolve("logs/bot.log"))
                .timeout(Duration.ofSeconds(30));
        bot.start(host);
        try {
            awaitStatus(health, 200);

            // tag::tour[]
            RollbackPlan plan = Rollback.plan("rosey-bot")
                    .store(work.resolve("backups"))
                    .stop(bot.stopping())
                    .target(Directory.backup(release).excluding("logs").kind(TargetKind.CODE))
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
            awaitStatus(health, 500);
            String logsBefore = Files.readString(release.resolve("logs/bot.log"));

            // tag::rollback[]
            System.out.println(plan.preview(before));              // what will change, in order
            RollbackReport report = plan.rollback(before);         // put it all back, prove it
            // end::rollback[]

            require(!get(page).body().contains("ROLLBACK TEST"), "the test banner should be gone");
            require(Files.readString(release.resolve("logs/bot.log")).startsWith(logsBefore),
                    "the logs written before the rollback should survive it");
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

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static String javaProgram() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    private static String classesOf(Class<?> type) throws URISyntaxException {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }

    private static void awaitStatus(URI uri, int status) throws Exception {
        Instant end = Instant.now().plusSeconds(30);
        int last = -1;
        while (Instant.now().isBefore(end)) {
            try {
                last = get(uri).statusCode();
                if (last == status) {
                    return;
                }
            } catch (IOException notUpYet) {
                last = -1;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("drill: expected " + uri + " to answer " + status + ", last answer " + last);
    }

    private static HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static void require(boolean condition, String what) {
        if (!condition) {
            throw new IllegalStateException("drill: " + what);
        }
    }
}
