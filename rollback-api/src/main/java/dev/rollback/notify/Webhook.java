package dev.rollback.notify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Posts each notification as JSON to an incoming webhook: a {@code text} field with the line for people (what
 * Slack-, Mattermost- and Teams-style incoming webhooks show) and an {@code event} object with the structured
 * notification for anything that reads more.
 *
 * <pre>{@code
 * Rollback.plan("shop")
 *     .notify(Webhook.to(URI.create(System.getenv("CHAT_WEBHOOK_URL"))))
 *     ...
 * }</pre>
 *
 * <p>The body of a rollback that finished (the plan's secret "hunter2" masked):
 * <pre>{@code
 * {"text":"shop: rollback rb-20261202-065641-661-b6a75c to v1 (db password ****) SUCCEEDED, time to recover 92 ms",
 *  "event":{"kind":"ROLLBACK_FINISHED","plan":"shop","id":"rb-20261202-065641-661-b6a75c",
 *           "at":"2026-12-02T06:56:41.754413262Z","details":{"outcome":"SUCCEEDED","point":"v1 (db password ****)",
 *           "pointId":"20261202-065641-630-394006","timeToRecoverMillis":92,"setAside":"20261202-065641-695-05678a",
 *           "undo":false}}}
 * }</pre>
 *
 * <p>An answer other than 2xx, a timeout or a refused connection is a failed attempt. The URL of a chat webhook is
 * itself a secret: logs and errors name only its scheme, host and port. Immutable and thread-safe.
 */
public final class Webhook implements Notifier {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI uri;
    private final Map<String, String> headers;
    private final Duration timeout;
    private final int attempts;

    private Webhook(URI uri, Map<String, String> headers, Duration timeout, int attempts) {
        this.uri = uri;
        this.headers = headers;
        this.timeout = timeout;
        this.attempts = attempts;
    }

    /**
     * A webhook posting to {@code uri} (http or https), with a 5 s timeout per attempt and 3 attempts.
     *
     * @throws IllegalArgumentException if the URI is not an absolute http or https URI
     */
    public static Webhook to(URI uri) {
        if (uri == null || uri.getScheme() == null || uri.getHost() == null
                || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
            throw new IllegalArgumentException("webhook: expected an absolute http or https URI, found "
                    + (uri == null ? "null" : "'" + safe(uri) + "'") + "; give the incoming webhook's URL, such as "
                    + "URI.create(\"https://chat.example.com/hooks/...\")");
        }
        return new Webhook(uri, Map.of(), Duration.ofSeconds(5), 3);
    }

    /**
     * A copy that sends this header with every request, such as an authorization token (its value never appears in
     * logs or errors).
     *
     * @throws IllegalArgumentException if the name or value is blank
     */
    public Webhook header(String name, String value) {
        if (name == null || name.isBlank() || value == null || value.isBlank()) {
            throw new IllegalArgumentException("webhook to " + safe(uri) + ": expected a header name and value, found "
                    + (name == null || name.isBlank() ? "no name" : "no value for '" + name + "'")
                    + "; give both, such as header(\"Authorization\", \"Bearer ...\")");
        }
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(name, value);
        return new Webhook(uri, Map.copyOf(more), timeout, attempts);
    }

    /**
     * A copy that waits at most {@code timeout} for each attempt's answer (5 s by default).
     *
     * @throws IllegalArgumentException if it is not positive
     */
    public Webhook timeout(Duration timeout) {
        if (timeout == null || timeout.isZero() || timeout.isNegative()) {
            throw new IllegalArgumentException("webhook to " + safe(uri) + ": expected a positive timeout, found "
                    + timeout + "; give one such as Duration.ofSeconds(5)");
        }
        return new Webhook(uri, headers, timeout, attempts);
    }

    /**
     * A copy that tries each notification at most {@code n} times in all (3 by default).
     *
     * @throws IllegalArgumentException if {@code n} is not from 1 to 10
     */
    public Webhook attempts(int n) {
        if (n < 1 || n > 10) {
            throw new IllegalArgumentException("webhook to " + safe(uri) + ": expected from 1 to 10 attempts, found "
                    + n + "; give the number of tries, such as attempts(3)");
        }
        return new Webhook(uri, headers, timeout, n);
    }

    @Override
    public int attempts() {
        return attempts;
    }

    @Override
    public String name() {
        return "webhook " + safe(uri);
    }

    /** The JSON body posted for {@code n}: its {@code text} and the structured {@code event}. */
    public static String body(Notification n) {
        ObjectNode root = JSON.createObjectNode();
        root.put("text", n.text());
        ObjectNode event = root.putObject("event");
        event.put("kind", n.kind().name()).put("plan", n.plan()).put("id", n.id()).put("at", n.at().toString());
        ObjectNode details = event.putObject("details");
        n.details().forEach((k, v) -> {
            if (v == null) {
                details.putNull(k);
            } else if (v instanceof Number num) {
                details.put(k, num.longValue() == num.doubleValue() ? JSON.getNodeFactory().numberNode(num.longValue())
                        : JSON.getNodeFactory().numberNode(num.doubleValue()));
            } else if (v instanceof Boolean b) {
                details.put(k, b);
            } else {
                details.put(k, String.valueOf(v));
            }
        });
        try {
            return JSON.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("webhook: expected the notification as JSON, found " + e, e);
        }
    }

    @Override
    public void send(Notification notification) throws Exception {
        Objects.requireNonNull(notification, "notification");
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout)
                .header("Content-Type", "application/json; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofString(body(notification), StandardCharsets.UTF_8));
        headers.forEach(request::header);
        HttpResponse<String> answer = Holder.CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() / 100 != 2) {
            String text = answer.body() == null ? "" : answer.body().strip();
            throw new IllegalStateException(name() + ": expected a 2xx answer to the " + notification.kind()
                    + " notification, found status " + answer.statusCode() + (text.isEmpty() ? "" : " '"
                            + (text.length() > 200 ? text.substring(0, 200) + "…" : text) + "'")
                    + "; check the webhook's URL and token");
        }
    }

    /** One client for every webhook of the process: its threads are made once. */
    private static final class Holder {
        static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    private static String safe(URI uri) {
        return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
    }

    @Override
    public String toString() {
        return "Webhook[" + safe(uri) + ", " + attempts + " attempts, timeout " + timeout.toMillis() + " ms]";
    }
}
