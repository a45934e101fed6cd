package dev.rollback.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * A small service run as its own process, like the bot of scenario 001: it serves the page of its
 * release directory and answers {@code /health} from its JSON config. The health answer is 200
 * with {@code {"status":"healthy"}} when the config parses and its {@code mode} is {@code
 * production}, and 500 otherwise. It listens on 127.0.0.1 only and stops on SIGTERM.
 *
 * <pre>java -cp … dev.rollback.examples.DemoService PORT RELEASE_DIR CONFIG_JSON</pre>
 */
public final class DemoService {

    private DemoService() {}

    /** Starts the service and blocks until the process is stopped. */
    public static void main(String[] args) throws IOException, InterruptedException {
        if (args.length != 3) {
            System.err.println("usage: DemoService PORT RELEASE_DIR CONFIG_JSON");
            System.exit(2);
        }
        int port = Integer.parseInt(args[0]);
        Path release = Path.of(args[1]);
        Path config = Path.of(args[2]);
        ObjectMapper json = new ObjectMapper();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        server.createContext("/", exchange -> {
            int status;
            byte[] body;
            if (exchange.getRequestURI().getPath().equals("/health")) {
                String problem = health(json, config);
                status = problem == null ? 200 : 500;
                body = (problem == null ? "{\"status\":\"healthy\"}" : "{\"status\":\"unhealthy\",\"error\":\""
                        + problem.replace("\"", "'") + "\"}").getBytes(StandardCharsets.UTF_8);
            } else {
                Path page = release.resolve("public/index.html");
                status = Files.isRegularFile(page) ? 200 : 404;
                body = status == 200 ? Files.readAllBytes(page) : "no page".getBytes(StandardCharsets.UTF_8);
            }
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.stop(0);
            stopped.countDown();
        }));
        server.start();
        System.out.println("DemoService listening on 127.0.0.1:" + port + ", release " + release);
        stopped.await();
    }

    private static String health(ObjectMapper json, Path config) {
        try {
            JsonNode node = json.readTree(Files.readString(config));
            String mode = node.path("mode").asText("");
            return mode.equals("production") ? null : "mode is '" + mode + "', expected 'production'";
        } catch (IOException e) {
            return "config unreadable: " + e.getMessage().lines().findFirst().orElse("");
        }
    }
}
