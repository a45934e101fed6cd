package dev.rollback.support;

import com.sun.net.httpserver.HttpServer;
import dev.rollback.testing.TestClock;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Predicate;

/**
 * A real HTTP server on 127.0.0.1 serving one file at {@code /}, as an application serves the release a plan
 * restores: status 200 with the file's bytes, or 503 while {@code down} holds for its content. Each answer moves the
 * test clock on by {@code answerTakes}, so the plan's clock sees it take that long.
 */
public final class FileServer implements AutoCloseable {

    private final HttpServer http;
    private final ExecutorService threads = Executors.newSingleThreadExecutor();

    private FileServer(Path file, TestClock clock, Duration answerTakes, Predicate<String> down) throws IOException {
        http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.setExecutor(threads);
        http.createContext("/", exchange -> {
            clock.advance(answerTakes);
            byte[] body = Files.readAllBytes(file);
            boolean isDown = down.test(new String(body, java.nio.charset.StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(isDown ? 503 : 200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        http.start();
    }

    /** Starts serving {@code file}; answers 503 while {@code down} holds for its content. */
    public static FileServer serving(Path file, TestClock clock, Duration answerTakes, Predicate<String> down)
            throws IOException {
        return new FileServer(file, clock, answerTakes, down);
    }

    /** {@code http://127.0.0.1:<port>/}. */
    public URI uri() {
        return URI.create("http://127.0.0.1:" + http.getAddress().getPort() + "/");
    }

    @Override
    public void close() {
        http.stop(0);
        threads.shutdownNow();
    }
}
