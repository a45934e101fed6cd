package dev.rollback.examples;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A small service run as its own process, like the bot of scenario 001: it serves the page of its
 * release directory and answers {@code /health} from its JSON config. The health answer is 200
 * with {@code {"status":"healthy"}} when the config's mode (a JSON {@code "mode"} or a {@code .env}
 * {@code MODE=}) is {@code production}, and 500
 * otherwise. It listens on 127.0.0.1 only, stops on SIGTERM, and needs nothing but the JDK, so it
 * runs from the examples' classes alone.
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
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        server.createContext("/", exchange -> {
            int status;
            byte[] body;
            if (exchange.getRequestURI().getPath().equals("/health")) {
                String problem = health(config);
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

    /** The mode of a JSON config ({@code "mode": "production"}) or of a {@code .env} ({@code MODE=production}). */
    private static final Pattern MODE = Pattern.compile("\"mode\"\\s*:\\s*\"([^\"]*)\"|(?m)^MODE=(\\S*)");

    private static String health(Path config) {
        try {
            Matcher m = MODE.matcher(Files.readString(config));
            String mode = !m.find() ? "" : m.group(1) != null ? m.group(1) : m.group(2);
            return mode.equals("production") ? null : "mode is '" + mode + "', expected 'production'";
        } catch (IOException e) {
            return "config unreadable: " + e;
        }
    }
}
