package dev.rollback;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.rollback.check.HealthCheck;
import dev.rollback.fleet.FleetWatchReport;
import dev.rollback.spi.Check;
import dev.rollback.targets.ConfigFiles;
import dev.rollback.targets.DirectoryBackup;
import dev.rollback.testing.Requirements;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTML incident reports of a real rollback and of a real watch that rolled back, rendered by a real headless
 * Chromium: the page loads with no console error, its SVG timeline has one bar per step, the bars are drawn (their
 * colour is on the screenshot), and nothing is fetched from elsewhere. The screenshots are kept under {@code
 * target/rollback-reports/} for people to look at.
 */
class HtmlReportTest {

    static final Path OUT = Path.of("target", "rollback-reports");

    @TempDir
    Path dir;

    HttpServer http;
    RollbackPlan plan;
    Path config;
    Path release;

    @BeforeEach
    void system() throws IOException {
        http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/health", ex -> {
            // the service answers as its release runs: 1.0.0 is healthy, the bad deploy is not
            boolean ok = Files.readString(release.resolve("VERSION")).equals("1.0.0\n");
            byte[] body = (ok ? "ready" : "not ready: <db> pool exhausted & \"down\"").getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(ok ? 200 : 503, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        http.start();
        config = dir.resolve("app.env");
        release = dir.resolve("release");
        Files.createDirectories(release);
        Files.writeString(config, "MODE=production\n");
        Files.writeString(release.resolve("VERSION"), "1.0.0\n");
        URI health = URI.create("http://127.0.0.1:" + http.getAddress().getPort() + "/health");
        plan = Rollback.plan("shop").store(dir.resolve("store"))
                .target(ConfigFiles.of(config))
                .target(DirectoryBackup.of(release))
                .verify(HealthCheck.http(health).expectStatus(200))
                .build();
        Files.createDirectories(OUT);
    }

    @AfterEach
    void stop() {
        http.stop(0);
    }

    private void badDeploy() throws IOException {
        Files.writeString(config, "MODE=debug\n");
        Files.writeString(release.resolve("VERSION"), "1.1.0\n");
    }

    @Test
    void shouldRenderTheRollbackReportInARealBrowserWithABarPerStep() throws Exception {
        RestorePoint v1 = plan.capture("v1.0.0");
        badDeploy();
        RollbackReport report = plan.rollback(v1);
        assertThat(report.isSuccessful()).as(report.toMarkdown()).isTrue();

        String html = report.toHtml();
        assertSelfContained(html);
        assertThat(html).contains("SUCCEEDED").contains(v1.id()).contains("check ");
        Rendered page = render(html, "rollback");

        assertThat(page.bars()).isEqualTo(report.steps().size());
        assertThat(page.consoleErrors()).isEmpty();
        assertThat(page.dom()).contains("recovered").contains("Targets").contains(report.rollbackId());
        assertThat(page.greenPixels()).as("succeeded steps drawn in green").isPositive();

        Rendered timeline = renderTimeline(html, "rollback-timeline");
        assertThat(timeline.bars()).isEqualTo(report.steps().size());
        assertThat(timeline.greenPixels()).as("the timeline's succeeded steps in green").isPositive();
    }

    @Test
    void shouldRenderTheWatchReportWithItsTriggerAndTheRollbackSteps() throws Exception {
        RestorePoint v1 = plan.capture("v1.0.0");
        badDeploy();
        Watchdog watchdog = Watchdog.of(plan, v1)
                .probe(HealthCheck.http(URI.create("http://127.0.0.1:" + http.getAddress().getPort() + "/health"))
                        .expectStatus(200))
                .every(Duration.ofMillis(50))
                .rollBackWhen(Trigger.consecutiveFailures(2))
                .watchFor(Duration.ofSeconds(10));
        WatchReport watch = watchdog.run();
        assertThat(watch.outcome()).as(watch.toMarkdown()).isEqualTo(WatchReport.Outcome.ROLLED_BACK);

        String html = watch.toHtml();
        assertSelfContained(html);
        assertThat(html).contains("&lt;db&gt; pool exhausted &amp; &quot;down&quot;"); // escaped, not markup
        Rendered page = render(html, "watch");

        assertThat(page.bars()).isEqualTo(watch.rollback().steps().size());
        assertThat(page.dom()).contains(">trigger<").contains("probe 1 failed").contains("recovered");
        assertThat(page.consoleErrors()).isEmpty();
        assertThat(page.greenPixels()).isPositive();
    }

    @Test
    void shouldRenderAFleetWatchReportWithTheHostThatRolledBackAndItsTrigger() throws Exception {
        RestorePoint v1 = plan.capture("v1.0.0");
        badDeploy();
        URI health = URI.create("http://127.0.0.1:" + http.getAddress().getPort() + "/health");
        WatchReport rolledBack = Watchdog.of(plan, v1).probe(HealthCheck.http(health).expectStatus(200))
                .every(Duration.ofMillis(50)).rollBackWhen(Trigger.consecutiveFailures(2))
                .watchFor(Duration.ofSeconds(10)).run();
        WatchReport healthy = Watchdog.of(plan, v1).probe(HealthCheck.http(health).expectStatus(200))
                .every(Duration.ofMillis(50)).rollBackWhen(Trigger.consecutiveFailures(2))
                .watchFor(Duration.ofMillis(300)).run();
        assertThat(rolledBack.outcome()).as(rolledBack.toMarkdown()).isEqualTo(WatchReport.Outcome.ROLLED_BACK);
        assertThat(healthy.outcome()).as(healthy.toMarkdown()).isEqualTo(WatchReport.Outcome.HEALTHY);
        FleetWatchReport fleet = new FleetWatchReport("web", "v1.0.0",
                Map.of("web-1", rolledBack), Map.of("web-2", "connect to web-2: no SSH server <answering>"), null,
                null, null, false, rolledBack.watchedFrom(), healthy.endedAt());

        String html = fleet.toHtml();
        assertSelfContained(html);
        assertThat(html).contains("Fleet watch of web").contains("ROLLBACK_FAILED")
                .contains("no SSH server &lt;answering&gt;");
        Rendered page = render(html, "fleet-watch");

        assertThat(page.bars()).as("a bar for the one host rolled back on its own").isEqualTo(1);
        assertThat(page.dom()).contains("trigger on web-1").contains("Watch of web-2 failed").contains("Hosts");
        assertThat(page.consoleErrors()).isEmpty();
        assertThat(page.greenPixels()).as("its rollback succeeded: drawn in green").isPositive();
    }

    @Test
    void shouldRenderTheDrillReportWithItsStagesAndTheRollbackSteps() throws Exception {
        DrillReport drill = Drill.of(plan)
                .change("deploy a test release", ctx -> Files.writeString(release.resolve("VERSION"), "9.9.9-drill\n"))
                .shows(Check.of("drill release runs", () -> Files.readString(release.resolve("VERSION"))
                        .contains("drill")))
                .thenGone(Check.of("release 1.0.0 back", () -> Files.readString(release.resolve("VERSION"))
                        .equals("1.0.0\n")))
                .keeps(Check.of("config kept", () -> Files.readString(config).equals("MODE=production\n")))
                .run();
        assertThat(drill.outcome()).as(drill.toMarkdown()).isEqualTo(DrillReport.Outcome.PASSED);

        String html = drill.toHtml();
        assertSelfContained(html);
        Rendered page = render(html, "drill");

        assertThat(page.bars()).isEqualTo(drill.stages().size() + drill.rollback().steps().size());
        assertThat(page.dom()).contains("stage ").contains("PASSED").contains("recovered");
        assertThat(page.consoleErrors()).isEmpty();
        assertThat(page.greenPixels()).isPositive();
    }

    private static void assertSelfContained(String html) {
        assertThat(html).startsWith("<!DOCTYPE html>").doesNotContain("<script").doesNotContain("<link")
                .doesNotContain("src=").doesNotContain("@import").doesNotContain("url(");
    }

    /** What the browser made of a page: its DOM after load, its console errors, and its screenshot. */
    record Rendered(String dom, List<String> consoleErrors, BufferedImage screenshot) {
        long bars() {
            Matcher m = Pattern.compile("<rect class=\"step ").matcher(dom);
            long n = 0;
            while (m.find()) {
                n++;
            }
            return n;
        }

        /** The pixels of the colour of succeeded bars (#3f9d58), give or take the anti-aliasing. */
        long greenPixels() {
            long n = 0;
            for (int y = 0; y < screenshot.getHeight(); y++) {
                for (int x = 0; x < screenshot.getWidth(); x++) {
                    int rgb = screenshot.getRGB(x, y);
                    int r = (rgb >> 16) & 0xff;
                    int g = (rgb >> 8) & 0xff;
                    int b = rgb & 0xff;
                    if (Math.abs(r - 0x3f) < 12 && Math.abs(g - 0x9d) < 12 && Math.abs(b - 0x58) < 12) {
                        n++;
                    }
                }
            }
            return n;
        }
    }

    /** Writes the page under target/rollback-reports and renders it in headless Chromium, twice: DOM and screenshot. */
    private Rendered render(String html, String name) throws Exception {
        Requirements.require(Requirements.onPath("chromium"), "chromium (Debian's package; .ci/setup-chromium.sh)");
        Path file = OUT.resolve(name + ".html").toAbsolutePath();
        Files.writeString(file, html);
        Path png = OUT.resolve(name + ".png").toAbsolutePath();
        Files.deleteIfExists(png);
        Result dom = chromium(List.of("--enable-logging=stderr", "--v=0", "--dump-dom", file.toUri().toString()));
        Result shot = chromium(List.of("--screenshot=" + png, "--window-size=1100,1300", "--hide-scrollbars",
                file.toUri().toString()));
        assertThat(png).as("screenshot; chromium said: %s", shot.err()).exists();
        List<String> errors = new ArrayList<>();
        for (String line : dom.err().split("\\R")) {
            if (line.contains("CONSOLE") || line.contains("Uncaught")) {
                errors.add(line);
            }
        }
        BufferedImage image = ImageIO.read(png.toFile());
        System.out.println("rendered " + file + " -> " + png + " (" + image.getWidth() + "x" + image.getHeight() + ")");
        return new Rendered(dom.out(), errors, image);
    }

    /**
     * Renders the page's timeline alone (its figure, with the page's style) at the size of its SVG: the picture of
     * the README. With {@code -Drollback.docs=<folder>} the screenshot is also copied there ({@code
     * ./mvnw -pl rollback-api -am test -Dtest=HtmlReportTest -Dsurefire.failIfNoSpecifiedTests=false
     * -Drollback.docs=$PWD/docs}).
     */
    private Rendered renderTimeline(String html, String name) throws Exception {
        Matcher figure = Pattern.compile("(?s)<figure class=\"timeline\">.*?</figure>").matcher(html);
        Matcher style = Pattern.compile("(?s)<style>.*?</style>").matcher(html);
        Matcher size = Pattern.compile("<svg [^>]*width=\"(\\d+)\" height=\"(\\d+)\"").matcher(html);
        assertThat(figure.find() && style.find() && size.find()).as("a timeline figure, a style and an SVG size in %s",
                html).isTrue();
        int width = Integer.parseInt(size.group(1)) + 16;
        int height = Integer.parseInt(size.group(2)) + 40; // the caption above the drawing
        String page = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Timeline</title>\n"
                + style.group().replace("margin: 24px;", "margin: 8px;") + "</head>\n<body>\n" + figure.group()
                + "\n</body></html>\n";
        Path file = OUT.resolve(name + ".html").toAbsolutePath();
        Files.writeString(file, page);
        Path png = OUT.resolve(name + ".png").toAbsolutePath();
        Files.deleteIfExists(png);
        Result shot = chromium(List.of("--screenshot=" + png, "--window-size=" + width + "," + height,
                "--hide-scrollbars", file.toUri().toString()));
        assertThat(png).as("screenshot; chromium said: %s", shot.err()).exists();
        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image.getWidth()).isEqualTo(width);
        String docs = System.getProperty("rollback.docs");
        if (docs != null && !docs.isBlank()) {
            Files.copy(png, Path.of(docs).resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
        }
        return new Rendered(chromium(List.of("--dump-dom", file.toUri().toString())).out(), List.of(), image);
    }

    record Result(String out, String err) {}

    private Result chromium(List<String> args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("chromium", "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-extensions", "--user-data-dir=" + dir.resolve("chromium-profile")));
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).start();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread drain = new Thread(() -> {
            try (InputStream in = p.getErrorStream()) {
                in.transferTo(err);
            } catch (IOException e) {
                // the process ended
            }
        });
        drain.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("chromium: expected it to render the page within 60 s, found it still running; "
                    + "stderr: " + err);
        }
        drain.join(5_000);
        assertThat(p.exitValue()).as("chromium exit; stderr: %s", err).isZero();
        return new Result(out, err.toString(StandardCharsets.UTF_8));
    }
}
