package dev.rollback.check;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP server on 127.0.0.1 serving a Prometheus text at {@code /metrics}: each scrape takes
 * the next of the texts the test gave, and the last one repeats; a text may be given with a status.
 */
public final class MetricsServer implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService threads = Executors.newSingleThreadExecutor();
    private final List<String> texts = new ArrayList<>();
    private final List<Integer> statuses = new ArrayList<>();
    /** How many scrapes were answered. */
    public final AtomicInteger scrapes = new AtomicInteger();

    /** Starts the server on a free port of 127.0.0.1. */
    public MetricsServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(threads);
        server.createContext("/metrics", exchange -> {
            String text;
            int status;
            synchronized (this) {
                int n = Math.min(scrapes.getAndIncrement(), texts.size() - 1);
                text = texts.get(n);
                status = statuses.get(n);
            }
            byte[] body = text.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
            exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        serve("");
    }

    /** Serves these texts with status 200 to the next scrapes, in order, repeating the last. */
    public synchronized MetricsServer serve(String... next) {
        texts.clear();
        statuses.clear();
        for (String t : next) {
            texts.add(t);
            statuses.add(200);
        }
        scrapes.set(0);
        return this;
    }

    /** Serves {@code text} with {@code status} from now on. */
    public synchronized MetricsServer serve(int status, String text) {
        serve(text);
        statuses.set(0, status);
        return this;
    }

    /** The metrics endpoint. */
    public URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/metrics");
    }

    /** A text of http_requests_total with these counts of status 200 and 500. */
    public static String requests(long ok, long errors) {
        return "# HELP http_requests_total Requests served.\n"
                + "# TYPE http_requests_total counter\n"
                + "http_requests_total{method=\"GET\",status=\"200\"} " + ok + "\n"
                + "http_requests_total{method=\"GET\",status=\"500\"} " + errors + "\n"
                + "# TYPE process_start_time_seconds gauge\n"
                + "process_start_time_seconds 1.7e9\n";
    }

    /** A text of the histogram http_request_duration_seconds with these cumulative bucket counts. */
    public static String durations(long le01, long le025, long le05, long le1, long inf) {
        return "# HELP http_request_duration_seconds Request latency.\n"
                + "# TYPE http_request_duration_seconds histogram\n"
                + "http_request_duration_seconds_bucket{le=\"0.1\"} " + le01 + "\n"
                + "http_request_duration_seconds_bucket{le=\"0.25\"} " + le025 + "\n"
                + "http_request_duration_seconds_bucket{le=\"0.5\"} " + le05 + "\n"
                + "http_request_duration_seconds_bucket{le=\"1\"} " + le1 + "\n"
                + "http_request_duration_seconds_bucket{le=\"+Inf\"} " + inf + "\n"
                + "http_request_duration_seconds_sum 12.5\n"
                + "http_request_duration_seconds_count " + inf + "\n";
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
