package dev.rollback.micrometer;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.rollback.Rollback;
import dev.rollback.RollbackListener;
import dev.rollback.RollbackPlan;
import dev.rollback.RestorePoint;
import dev.rollback.check.HealthCheck;
import dev.rollback.targets.ConfigFiles;
import dev.rollback.targets.DirectoryBackup;
import dev.rollback.testing.TestClock;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A small real system for the metrics' tests: a config file and a site folder on disk, and a real HTTP server on
 * 127.0.0.1 that serves the site's page ({@code /}), a health endpoint for the plan's verify phase ({@code /health})
 * and a readiness endpoint for a watchdog's probes ({@code /ready}, answering a given sequence of statuses, the last
 * repeated). Every answer takes {@link #LATENCY} by the test clock, so the recorded times are exact.
 */
final class Shop implements AutoCloseable {

    /** How long every answer takes, by the test clock. */
    static final Duration LATENCY = Duration.ofMillis(250);

    final TestClock clock = new TestClock();
    final Path env;
    final Path site;
    final Path page;
    private final HttpServer http;
    private final ExecutorService threads = Executors.newSingleThreadExecutor();
    private volatile int health = 200;
    private final List<Integer> ready = new ArrayList<>(List.of(200));
    private int readyRequests;

    Shop(Path dir) throws IOException {
        env = dir.resolve("app").resolve(".env");
        site = dir.resolve("site");
        page = site.resolve("index.html");
        Files.createDirectories(env.getParent());
        Files.createDirectories(site);
        Files.writeString(env, "RELEASE=v1\nWORKERS=4\n");
        Files.writeString(page, "<h1>shop v1</h1>\n");
        http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.setExecutor(threads);
        http.createContext("/health", ex -> answer(ex, health, "health"));
        http.createContext("/ready", ex -> answer(ex, nextReady(), "ready"));
        http.createContext("/", ex -> answer(ex, 200, Files.readString(page)));
        http.start();
    }

    private synchronized int nextReady() {
        return ready.get(Math.min(readyRequests++, ready.size() - 1));
    }

    private void answer(HttpExchange ex, int status, String text) throws IOException {
        clock.advance(LATENCY);
        byte[] body = (status == 200 ? text : text + ": 503 db pool exhausted").getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    /** The plan's verify check answers with this status from now on. */
    Shop health(int status) {
        health = status;
        return this;
    }

    /** The watchdog's probes get these statuses, in order, the last repeated. */
    synchronized Shop ready(Integer... statuses) {
        ready.clear();
        ready.addAll(List.of(statuses));
        readyRequests = 0;
        return this;
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + http.getAddress().getPort() + path);
    }

    /** The plan "shop": the config file, the site folder, and a verify check of {@code /health}. */
    RollbackPlan plan(Path store, RollbackListener listener) {
        return Rollback.plan("shop").store(store).clock(clock).sleeper(clock::advance)
                .target(ConfigFiles.of(env))
                .target(DirectoryBackup.of(site))
                .verify(HealthCheck.http(uri("/health")).expectStatus(200))
                .listener(listener)
                .build();
    }

    /** Captures v1 and deploys v2 over both targets. */
    RestorePoint deploy(RollbackPlan plan) throws IOException {
        RestorePoint before = plan.capture("v1");
        Files.writeString(env, "RELEASE=v2\nWORKERS=4\n");
        Files.writeString(page, "<h1>shop v2</h1>\n");
        return before;
    }

    @Override
    public void close() {
        http.stop(0);
        threads.shutdownNow();
    }
}
