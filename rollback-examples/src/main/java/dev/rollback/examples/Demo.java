package dev.rollback.examples;

import dev.rollback.check.HealthCheck;
import dev.rollback.targets.Service;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What the examples share: a {@link DemoService} run as a {@link Service}, free ports, plain HTTP. Public only so
 * that the examples of the scenario systems (rollback-examples-systems) use it too; not API. Thread-safe.
 */
public final class Demo {

    private Demo() {}

    /**
     * A {@link DemoService} on {@code port} serving {@code release}, healthy by {@code config}, as a
     * service that is started once its port accepts connections.
     */
    public static Service service(String name, int port, Path release, Path config, Path pidFile, Path log)
            throws URISyntaxException {
        return Service.ofProcess(name, List.of(javaProgram(), "-cp", classesOf(DemoService.class),
                        DemoService.class.getName(), Integer.toString(port), release.toString(), config.toString()),
                        pidFile)
                .logTo(log)
                .timeout(Duration.ofSeconds(30))
                // started means answering: a JVM takes a moment to bind its port after its process exists
                .readyWhen(HealthCheck.tcp("127.0.0.1", port).attempts(120).every(Duration.ofMillis(250))
                        .timeout(Duration.ofSeconds(30)));
    }

    /** Requires {@code uri} to answer {@code status} now: the services the examples start are ready when started. */
    public static void expectStatus(URI uri, int status) throws Exception {
        int found = get(uri).statusCode();
        require(found == status, "expected " + uri + " to answer " + status + ", found " + found);
    }

    /** A free TCP port on 127.0.0.1. */
    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** {@code http://127.0.0.1:port/path}. */
    public static URI local(int port, String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    /**
     * Waits up to 30 s for {@code uri} to answer {@code status}: the deploy tool's own wait, for what
     * the examples start without a {@link Service} (a compose stack).
     */
    public static void awaitStatus(URI uri, int status) throws Exception {
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
        throw new IllegalStateException("expected " + uri + " to answer " + status + ", last answer " + last);
    }

    /** A plain GET with a 5 s timeout. */
    public static HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Throws {@link IllegalStateException} with {@code what} unless {@code condition}. */
    public static void require(boolean condition, String what) {
        if (!condition) {
            throw new IllegalStateException(what);
        }
    }

    private static String javaProgram() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    private static String classesOf(Class<?> type) throws URISyntaxException {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }
}
