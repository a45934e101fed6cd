package dev.rollback.check;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rollback.spi.CheckResult;
import dev.rollback.spi.StepContext;
import dev.rollback.spi.Durations;
import java.io.IOException;
import java.io.ByteArrayOutputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A health check of an HTTP or HTTPS endpoint: each attempt sends one {@code GET} (redirects not
 * followed) and passes when every expectation holds: the status ({@link #expectStatus}, by default
 * any 2xx), texts the body contains or does not contain, JSON fields, and the latency.
 *
 * <p>The latency is measured on the plan's clock, from sending the request to the end of the body.
 * Each request, its whole body included, may take {@link #attemptTimeout} (default 10 s), less when
 * the check's overall timeout is nearer. Only the first 1 MiB of a body is examined, decoded as UTF-8. A user-info in
 * the URI ({@code http://user:password@host/}) is sent as HTTP basic authentication and never shown:
 * names and observations mask the password, as they mask query values whose names look secret
 * ({@code token}, {@code key}, {@code password}).
 *
 * <p>An attempt records the status, the latency, a body excerpt and every unmet expectation.
 *
 * <p>Immutable and thread-safe.
 *
 * <pre>{@code
 * HealthCheck.http(URI.create("http://127.0.0.1:8000/health"))
 *     .expectStatus(200).bodyContains("\"status\":\"ok\"").bodyDoesNotContain("ROLLBACK TEST")
 *     .jsonField("checks.db", "ok").latencyBelow(Duration.ofMillis(500))
 *     .attempts(10).every(Duration.ofSeconds(1)).timeout(Duration.ofSeconds(30))
 * }</pre>
 */
public final class HttpCheck implements HealthCheck {

    /** The request timeout of a check that does not set one. */
    public static final Duration DEFAULT_ATTEMPT_TIMEOUT = Duration.ofSeconds(10);

    private static final int MAX_BODY = 1 << 20;

    private final String name;
    private final URI uri;
    private final int status;
    private final List<String> contains;
    private final List<String> notContains;
    private final Map<String, String> jsonFields;
    private final Duration latencyBound;
    private final Duration attemptTimeout;
    private final Retry retry;

    private HttpCheck(String name, URI uri, int status, List<String> contains, List<String> notContains,
            Map<String, String> jsonFields, Duration latencyBound, Duration attemptTimeout, Retry retry) {
        this.name = name;
        this.uri = uri;
        this.status = status;
        this.contains = List.copyOf(contains);
        this.notContains = List.copyOf(notContains);
        this.jsonFields = Collections.unmodifiableMap(new LinkedHashMap<>(jsonFields));
        this.latencyBound = latencyBound;
        this.attemptTimeout = attemptTimeout;
        this.retry = retry;
    }

    static HttpCheck of(URI uri) {
        if (uri == null) {
            throw new IllegalArgumentException("HTTP check: expected a URI, found null; give one such as "
                    + "URI.create(\"http://127.0.0.1:8000/health\")");
        }
        String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!"http".equals(scheme) && !"https".equals(scheme)) {
            throw new IllegalArgumentException("HTTP check of " + Texts.display(uri) + ": expected an http or https URI, "
                    + "found " + (scheme == null ? "no scheme" : "scheme '" + uri.getScheme() + "'")
                    + "; give one such as http://127.0.0.1:8000/health");
        }
        if (uri.getHost() == null || uri.getHost().isBlank()) {
            throw new IllegalArgumentException("HTTP check of " + Texts.display(uri) + ": expected a host name, found "
                    + "none; give a URI such as http://127.0.0.1:8000/health");
        }
        return new HttpCheck(null, uri, 0, List.of(), List.of(), Map.of(), null, DEFAULT_ATTEMPT_TIMEOUT, Retry.ONCE);
    }

    /** The check's name: by default {@code GET} and the URI, its password masked. */
    @Override
    public String name() {
        return name != null ? name : "GET " + Texts.display(uri);
    }

    @Override
    public Retry retry() {
        return retry;
    }

    /** This check expecting exactly the status {@code code} (100 to 599) instead of any 2xx. */
    public HttpCheck expectStatus(int code) {
        if (code < 100 || code > 599) {
            throw new IllegalArgumentException(what() + ": expected an HTTP status from 100 to 599, found " + code
                    + "; give one such as expectStatus(200)");
        }
        return new HttpCheck(name, uri, code, contains, notContains, jsonFields, latencyBound, attemptTimeout, retry);
    }

    /** This check also expecting the body to contain {@code text} (not empty). */
    public HttpCheck bodyContains(String text) {
        List<String> more = new ArrayList<>(contains);
        more.add(requireText(text, "bodyContains"));
        return new HttpCheck(name, uri, status, more, notContains, jsonFields, latencyBound, attemptTimeout, retry);
    }

    /** This check also expecting the body not to contain {@code text} (not empty). */
    public HttpCheck bodyDoesNotContain(String text) {
        List<String> more = new ArrayList<>(notContains);
        more.add(requireText(text, "bodyDoesNotContain"));
        return new HttpCheck(name, uri, status, contains, more, jsonFields, latencyBound, attemptTimeout, retry);
    }

    /**
     * This check also expecting the body to be JSON whose field at {@code path} equals {@code
     * expected}. The path names fields separated by dots ({@code checks.db}); a number or boolean is
     * compared as its JSON text ({@code "200"}, {@code "true"}), a null as {@code "null"}.
     */
    public HttpCheck jsonField(String path, String expected) {
        if (path == null || path.isBlank() || path.startsWith(".") || path.endsWith(".") || path.contains("..")) {
            throw new IllegalArgumentException(what() + ": expected a JSON field path such as 'status' or 'checks.db', "
                    + "found " + (path == null ? "null" : "'" + path + "'"));
        }
        if (expected == null) {
            throw new IllegalArgumentException(what() + ": expected a value for JSON field '" + path
                    + "', found null; give the text it must equal, such as \"ok\" (or \"null\" for a JSON null)");
        }
        Map<String, String> more = new LinkedHashMap<>(jsonFields);
        more.put(path, expected);
        return new HttpCheck(name, uri, status, contains, notContains, more, latencyBound, attemptTimeout, retry);
    }

    /** This check also expecting each answer within {@code bound} (positive), measured on the plan's clock. */
    public HttpCheck latencyBelow(Duration bound) {
        return new HttpCheck(name, uri, status, contains, notContains, jsonFields,
                Texts.requirePositive(bound, what() + ": latencyBelow"), attemptTimeout, retry);
    }

    /** This check giving each request at most {@code limit} (positive) to answer; 10 s by default. */
    public HttpCheck attemptTimeout(Duration limit) {
        return new HttpCheck(name, uri, status, contains, notContains, jsonFields, latencyBound,
                Texts.requirePositive(limit, what() + ": attemptTimeout"), retry);
    }

    @Override
    public HttpCheck named(String newName) {
        return new HttpCheck(Texts.requireName(newName), uri, status, contains, notContains, jsonFields, latencyBound,
                attemptTimeout, retry);
    }

    @Override
    public HttpCheck attempts(int n) {
        return withRetry(retry.withAttempts(n));
    }

    @Override
    public HttpCheck every(Duration interval) {
        return withRetry(retry.withInterval(interval));
    }

    @Override
    public HttpCheck timeout(Duration timeout) {
        return withRetry(retry.withTimeout(timeout));
    }

    private HttpCheck withRetry(Retry r) {
        return new HttpCheck(name, uri, status, contains, notContains, jsonFields, latencyBound, attemptTimeout, r);
    }

    /** Sends the request up to the given number of times, recording each answer. */
    @Override
    public CheckResult run(StepContext ctx) throws Exception {
        HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(attemptTimeout).build();
        ObjectMapper json = jsonFields.isEmpty() ? null : new ObjectMapper();
        URI target = withoutUserInfo(uri);
        String authorization = basicAuthorization(uri);
        return Attempts.run(ctx, name(), retry, attemptTimeout, limit -> {
            HttpRequest.Builder request = HttpRequest.newBuilder(target).GET().timeout(limit);
            if (authorization != null) {
                request.header("Authorization", authorization);
            }
            return attempt(ctx.clock(), client, request.build(), limit, json);
        });
    }

    private Attempts.Seen attempt(Clock clock, HttpClient client, HttpRequest request, Duration limit, ObjectMapper json)
            throws IOException, InterruptedException {
        Instant sent = clock.instant();
        HttpResponse<byte[]> response;
        try {
            response = exchange(client, request, limit);
        } catch (HttpConnectTimeoutException e) {
            return Attempts.Seen.fail("no connection to " + authority() + " within " + Durations.compact(limit));
        } catch (HttpTimeoutException e) {
            return Attempts.Seen.fail("no answer within " + Durations.compact(limit));
        } catch (ConnectException e) {
            return Attempts.Seen.fail("no connection to " + authority() + ": " + connectFailure(e));
        }
        Duration latency = Duration.between(sent, clock.instant());
        String body = new String(response.body(), StandardCharsets.UTF_8);
        List<String> unmet = new ArrayList<>();
        int code = response.statusCode();
        if (status == 0 ? code / 100 != 2 : code != status) {
            unmet.add("expected status " + (status == 0 ? "2xx" : status));
        }
        for (String text : contains) {
            if (!body.contains(text)) {
                unmet.add("expected the body to contain '" + Texts.excerpt(text) + "'");
            }
        }
        for (String text : notContains) {
            if (body.contains(text)) {
                unmet.add("expected the body not to contain '" + Texts.excerpt(text) + "'");
            }
        }
        if (json != null) {
            checkJson(json, body, unmet);
        }
        if (latencyBound != null && latency.compareTo(latencyBound) >= 0) {
            unmet.add("expected an answer within " + Durations.compact(latencyBound));
        }
        String seen = "status " + code + " in " + Durations.compact(latency) + ", body '" + Texts.excerpt(body) + "'";
        return unmet.isEmpty() ? Attempts.Seen.pass(seen) : Attempts.Seen.fail(seen + "; " + String.join("; ", unmet));
    }

    /** Sends the request and reads at most 1 MiB of the body, all within {@code limit}. */
    private static HttpResponse<byte[]> exchange(HttpClient client, HttpRequest request, Duration limit)
            throws IOException, InterruptedException {
        return exchange(client, request, limit, MAX_BODY);
    }

    /** Sends the request and reads at most {@code max} bytes of the body, all within {@code limit}. */
    static HttpResponse<byte[]> exchange(HttpClient client, HttpRequest request, Duration limit, int max)
            throws IOException, InterruptedException {
        CompletableFuture<HttpResponse<byte[]>> answer = client.sendAsync(request, info -> new LimitedBody(max));
        try {
            return answer.get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            answer.cancel(true);
            throw new HttpTimeoutException("the answer did not end within " + Durations.compact(limit));
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new IOException(Attempts.describe(cause), cause);
        }
    }

    /** Collects a body up to a number of bytes, then stops reading it. */
    private static final class LimitedBody implements HttpResponse.BodySubscriber<byte[]> {

        private final CompletableFuture<byte[]> result = new CompletableFuture<>();
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final int max;
        private Flow.Subscription subscription;

        LimitedBody(int max) {
            this.max = max;
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(1);
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            for (ByteBuffer b : buffers) {
                int take = Math.min(b.remaining(), max - bytes.size());
                byte[] chunk = new byte[take];
                b.get(chunk);
                bytes.write(chunk, 0, take);
            }
            if (bytes.size() >= max) {
                subscription.cancel();
                result.complete(bytes.toByteArray());
            } else {
                subscription.request(1);
            }
        }

        @Override
        public void onError(Throwable error) {
            result.completeExceptionally(error);
        }

        @Override
        public void onComplete() {
            result.complete(bytes.toByteArray());
        }
    }

    private String authority() {
        int port = uri.getPort() >= 0 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
        return uri.getHost() + ":" + port;
    }

    /** Why a connection failed, in words; the JDK's HTTP client often gives exceptions without a message. */
    static String connectFailure(ConnectException e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root instanceof UnresolvedAddressException) {
            return "the host name does not resolve";
        }
        if (root instanceof ClosedChannelException || String.valueOf(root.getMessage()).contains("refused")) {
            return "connection refused";
        }
        return Attempts.describe(e);
    }

    private void checkJson(ObjectMapper json, String body, List<String> unmet) {
        JsonNode root;
        try {
            root = json.readTree(body);
        } catch (JsonProcessingException e) {
            unmet.add("expected a JSON body for fields " + jsonFields.keySet() + ", found text that is not JSON ("
                    + Texts.excerpt(e.getOriginalMessage()) + ")");
            return;
        }
        for (Map.Entry<String, String> field : jsonFields.entrySet()) {
            JsonNode node = root;
            for (String part : field.getKey().split("\\.")) {
                node = node == null || !node.isObject() ? null : node.get(part);
            }
            String found = node == null ? null : node.isTextual() ? node.textValue() : node.toString();
            if (!field.getValue().equals(found)) {
                unmet.add("expected JSON field '" + field.getKey() + "' to be '" + Texts.excerpt(field.getValue())
                        + "', found " + (found == null ? "no such field" : "'" + Texts.excerpt(found) + "'"));
            }
        }
    }

    static URI withoutUserInfo(URI uri) {
        if (uri.getRawUserInfo() == null) {
            return uri;
        }
        try {
            return new URI(uri.getScheme(), null, uri.getHost(), uri.getPort(), uri.getPath(), uri.getQuery(),
                    uri.getFragment());
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot remove the user-info of " + Texts.display(uri), e);
        }
    }

    static String basicAuthorization(URI uri) {
        String userInfo = uri.getRawUserInfo();
        if (userInfo == null) {
            return null;
        }
        String decoded = URLDecoder.decode(userInfo.replace("+", "%2B"), StandardCharsets.UTF_8);
        return "Basic " + Base64.getEncoder().encodeToString(decoded.getBytes(StandardCharsets.UTF_8));
    }

    private String what() {
        return "HTTP check '" + name() + "'";
    }

    private String requireText(String text, String method) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException(what() + ": " + method + " expected a text, found "
                    + (text == null ? "null" : "an empty one") + "; give the text to look for");
        }
        return text;
    }

    /** The check in one line, its URI's password masked. */
    @Override
    public String toString() {
        return "HttpCheck[" + name() + (status == 0 ? "" : ", status " + status)
                + (contains.isEmpty() ? "" : ", contains " + contains)
                + (notContains.isEmpty() ? "" : ", does not contain " + notContains)
                + (jsonFields.isEmpty() ? "" : ", json " + jsonFields)
                + (latencyBound == null ? "" : ", latency below " + Durations.compact(latencyBound))
                + ", " + retry + "]";
    }
}
