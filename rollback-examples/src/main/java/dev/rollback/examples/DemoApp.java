package dev.rollback.examples;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A small web application in a folder, for examples and drills: {@code public/index.html} is its
 * page, {@code app.env} its configuration ({@code MODE=production} or it answers 500 on {@code
 * /health}), {@code data/orders.csv} the data its users write. It listens on 127.0.0.1 only.
 *
 * <p>Thread-safe; close it to stop the server.
 */
public final class DemoApp implements AutoCloseable {

    private final Path root;
    private final HttpServer server;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private DemoApp(Path root, HttpServer server) {
        this.root = root;
        this.server = server;
    }

    /** Writes release v1.0.0 of the application into {@code root} and starts it on a free port. */
    public static DemoApp install(Path root) throws IOException {
        Files.createDirectories(root.resolve("public"));
        Files.createDirectories(root.resolve("data"));
        Files.writeString(root.resolve("public/index.html"), "<html><title>Dashboard</title><h1>Dashboard</h1></html>\n");
        Files.writeString(root.resolve("app.env"), "MODE=production\nDB_PASSWORD=correct-horse-battery\n");
        Files.writeString(root.resolve("data/orders.csv"), "id,amount\n1,10.00\n2,12.50\n");
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        DemoApp app = new DemoApp(root, server);
        server.createContext("/", exchange -> {
            byte[] body;
            int status;
            if (exchange.getRequestURI().getPath().equals("/health")) {
                boolean ok = Files.readString(root.resolve("app.env")).contains("MODE=production");
                status = ok ? 200 : 500;
                body = (ok ? "{\"status\":\"ok\"}" : "{\"status\":\"error\",\"reason\":\"bad MODE\"}").getBytes(StandardCharsets.UTF_8);
            } else {
                status = 200;
                body = Files.readAllBytes(root.resolve("public/index.html"));
            }
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        return app;
    }

    /** The folder of the application. */
    public Path root() {
        return root;
    }

    /** The address the application answers on. */
    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    /** Deploys a bad release: a visible test banner and a broken configuration. */
    public void deployBadRelease() throws IOException {
        Files.writeString(root.resolve("public/index.html"),
                "<html><title>Dashboard - ROLLBACK TEST</title><h1>Dashboard [TEST DEPLOYMENT]</h1></html>\n");
        Files.writeString(root.resolve("app.env"), "MODE=maintenance-typo\nDB_PASSWORD=correct-horse-battery\n");
    }

    /** A user of the application writes an order (data that must survive a rollback). */
    public void placeOrder(String line) throws IOException {
        Files.writeString(root.resolve("data/orders.csv"), line + "\n", java.nio.file.StandardOpenOption.APPEND);
    }

    /** GETs a path and returns the status code. */
    public int status(String path) {
        return get(path).statusCode();
    }

    /** GETs a path and returns the body. */
    public String body(String path) {
        return get(path).body();
    }

    private HttpResponse<String> get(String path) {
        try {
            return client.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while calling " + path, e);
        }
    }

    /** Stops the server. */
    @Override
    public void close() {
        server.stop(0);
    }
}
