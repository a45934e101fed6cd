package dev.rollback.check;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A real HTTP server on 127.0.0.1 whose answers the test sets: each request takes the next answer,
 * and the last one repeats. An answer may run an action first (advance the test clock to simulate
 * a slow answer, or block).
 */
final class HealthServer implements AutoCloseable {

    /** One answer: a status, a body, something to do before answering and something once the headers are sent. */
    record Answer(int status, String body, Runnable before, Runnable afterHeaders) {
        Answer(int status, String body, Runnable before) {
            this(status, body, before, () -> {});
        }

        static Answer of(int status, String body) {
            return new Answer(status, body, () -> {});
        }
    }

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final List<Answer> answers = Collections.synchronizedList(new ArrayList<>());
    final List<String> authorizations = Collections.synchronizedList(new ArrayList<>());
    private int served;

    HealthServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(threads);
        server.createContext("/", exchange -> {
            Answer a = next();
            a.before().run();
            authorizations.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
            byte[] body = a.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(a.status(), body.length == 0 ? -1 : body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body, 0, body.length / 2);
                out.flush();
                a.afterHeaders().run();
                out.write(body, body.length / 2, body.length - body.length / 2);
            }
        });
        server.start();
    }

    /** Answers the next requests with these, in order, repeating the last. */
    HealthServer answer(Answer... next) {
        synchronized (answers) {
            answers.clear();
            answers.addAll(List.of(next));
            served = 0;
        }
        return this;
    }

    HealthServer answer(int status, String body) {
        return answer(Answer.of(status, body));
    }

    private Answer next() {
        synchronized (answers) {
            Answer a = answers.get(Math.min(served, answers.size() - 1));
            served++;
            return a;
        }
    }

    int port() {
        return server.getAddress().getPort();
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port() + path);
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
