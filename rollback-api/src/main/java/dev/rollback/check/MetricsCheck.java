package dev.rollback.check;

import dev.rollback.spi.Check;
import dev.rollback.spi.CheckAttempt;
import dev.rollback.spi.CheckResult;
import dev.rollback.spi.Durations;
import dev.rollback.spi.StepContext;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A probe of an application's Prometheus metrics: it scrapes the text endpoint ({@code /metrics})
 * and fails when the error rate of a counter, or a latency quantile of a histogram, measured
 * between this scrape and the previous one, is above a bound. Made for a {@link dev.rollback.Watchdog}:
 * one scrape per round, the triggers count the failures.
 *
 * <pre>{@code
 * URI metrics = URI.create("http://127.0.0.1:3000/metrics");
 * Watchdog.of(plan, before)
 *     .probe(MetricsCheck.scrape(metrics).errorRate("http_requests_total", "status=~5..").above(0.05))
 *     .probe(MetricsCheck.scrape(metrics).latency("http_request_duration_seconds", 0.99)
 *         .above(Duration.ofMillis(500)))
 *     .every(Duration.ofSeconds(30))
 *     .rollBackWhen(Trigger.consecutiveFailures(2))
 *     .watchFor(Duration.ofMinutes(30))
 *     .run();
 * }</pre>
 *
 * <p><b>Between two scrapes.</b> {@link #begin} (called by the watchdog once before its first round,
 * and by the engine when a rollback begins) takes the first scrape and returns a copy that remembers
 * the last good scrape; each {@link #run} scrapes again and judges the increase of the counters since
 * then, over the time between the two scrapes on the plan's clock. A counter that went down was
 * reset (the application restarted) and counts from zero, as Prometheus's {@code rate()} does; so
 * does a series that was not there before. Without an earlier scrape (a check run without {@code
 * begin}, or whose first scrape failed) the counters are judged over their whole life.
 *
 * <p><b>Error rate.</b> {@code errorRate(counter, errors)} divides the increase of the counter's
 * series that match {@code errors} by the increase of all its series: {@code status=~5..} reads as
 * PromQL's {@code sum(increase(http_requests_total{status=~"5.."}[w])) /
 * sum(increase(http_requests_total[w]))}. With no request in between it passes.
 *
 * <p><b>Latency.</b> {@code latency(histogram, q)} sums the increase of the histogram's {@code
 * _bucket} series by {@code le} and estimates the quantile as Prometheus's {@code
 * histogram_quantile} does: by linear interpolation inside the bucket the rank falls in. Bounds are
 * read as seconds, the Prometheus convention. A quantile in the {@code +Inf} bucket is only known to
 * exceed the highest finite bound, and fails unless that bound is above the limit. With no
 * observation in between it passes. A summary's quantiles cannot be compared between scrapes: a
 * summary is refused.
 *
 * <p><b>Selectors.</b> The errors and {@link Source#matching} take label matchers as PromQL writes
 * them, quotes optional: {@code status=~5..}, {@code code!="200"}, {@code
 * handler="/checkout",method=GET}; the operators are {@code =}, {@code !=}, {@code =~}, {@code !~},
 * and a regular expression matches the whole value.
 *
 * <p>A probe makes one request (redirects not followed, at most 16 MiB read, within {@link
 * Source#attemptTimeout}, 10 s by default); a scrape that fails, is not the text format, or lacks the
 * metric is a failed probe whose detail names what was expected and what was found. The text is
 * read by a strict parser of the Prometheus text format 0.0.4 in this package: no maintained Java
 * library parses it (the official {@code io.prometheus} client libraries only write it). A user-info
 * in the URI is sent as basic authentication and never shown.
 *
 * <p>Configuration is immutable and validated at once ({@link IllegalArgumentException} saying
 * what was expected). A begun copy keeps its last scrape and is thread-safe.
 */
public final class MetricsCheck implements Check {

    /** The most of a scrape that is read. */
    static final int MAX_SCRAPE = 16 << 20;

    private enum Kind { ERROR_RATE, LATENCY }

    private final String name;
    private final Source source;
    private final Kind kind;
    private final String metric;
    private final List<LabelMatcher> errors;
    private final String errorsText;
    private final double quantile;
    private final double bound;
    private final Memory memory;

    private MetricsCheck(String name, Source source, Kind kind, String metric, List<LabelMatcher> errors,
            String errorsText, double quantile, double bound, Memory memory) {
        this.name = name;
        this.source = source;
        this.kind = kind;
        this.metric = metric;
        this.errors = errors;
        this.errorsText = errorsText;
        this.quantile = quantile;
        this.bound = bound;
        this.memory = memory;
    }

    /**
     * Where the metrics are scraped from: an http or https URI such as {@code
     * http://127.0.0.1:3000/metrics}. Say what to judge with {@link Source#errorRate} or {@link
     * Source#latency}.
     *
     * @throws IllegalArgumentException if the URI is not absolute http or https with a host
     */
    public static Source scrape(URI uri) {
        if (uri == null) {
            throw new IllegalArgumentException("metrics check: expected the URI of the metrics endpoint, found null; "
                    + "give one such as URI.create(\"http://127.0.0.1:3000/metrics\")");
        }
        String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!"http".equals(scheme) && !"https".equals(scheme) || uri.getHost() == null || uri.getHost().isBlank()) {
            throw new IllegalArgumentException("metrics check of " + Texts.display(uri) + ": expected an http or https "
                    + "URI with a host, found " + (scheme == null ? "no scheme" : uri.getHost() == null
                    || uri.getHost().isBlank() ? "no host" : "scheme '" + uri.getScheme() + "'")
                    + "; give one such as http://127.0.0.1:3000/metrics");
        }
        return new Source(uri, HttpCheck.DEFAULT_ATTEMPT_TIMEOUT, List.of(), null);
    }

    /**
     * A metrics endpoint to scrape, and which series to consider. Immutable; each method returns a
     * new source.
     */
    public static final class Source {
        private final URI uri;
        private final Duration attemptTimeout;
        private final List<LabelMatcher> matching;
        private final String matchingText;

        private Source(URI uri, Duration attemptTimeout, List<LabelMatcher> matching, String matchingText) {
            this.uri = uri;
            this.attemptTimeout = attemptTimeout;
            this.matching = matching;
            this.matchingText = matchingText;
        }

        /** This source giving each scrape at most {@code limit} (positive) to answer; 10 s by default. */
        public Source attemptTimeout(Duration limit) {
            return new Source(uri, Texts.requirePositive(limit, what() + ": attemptTimeout"), matching, matchingText);
        }

        /**
         * This source considering only the series whose labels match {@code selector}, such as
         * {@code handler="/checkout"}; see the class description for the syntax.
         */
        public Source matching(String selector) {
            return new Source(uri, attemptTimeout, LabelMatcher.parse(selector, what() + ": matching"), selector.strip());
        }

        /**
         * The share of a counter's increase that falls on the series matching {@code errors}:
         * {@code errorRate("http_requests_total", "status=~5..")}. Give the bound with {@link
         * ErrorRate#above}.
         *
         * @throws IllegalArgumentException if the name is not a metric name or the selector is malformed
         */
        public ErrorRate errorRate(String counter, String errors) {
            String c = requireMetric(counter, "errorRate", "http_requests_total");
            if (c.endsWith("_bucket")) {
                throw new IllegalArgumentException(what() + ": errorRate: expected a counter, found '" + c
                        + "', a histogram's buckets; give the counter of requests, such as http_requests_total");
            }
            List<LabelMatcher> m = LabelMatcher.parse(errors, what() + ": errorRate(\"" + c + "\", errors)");
            return new ErrorRate(this, c, m, errors.strip());
        }

        /**
         * The quantile {@code q} (above 0, below 1) of a histogram, such as {@code
         * latency("http_request_duration_seconds", 0.99)}. Give the bound with {@link Latency#above}.
         *
         * @throws IllegalArgumentException if the name is not a metric name or q is not between 0 and 1
         */
        public Latency latency(String histogram, double q) {
            String h = requireMetric(histogram, "latency", "http_request_duration_seconds");
            for (String suffix : List.of("_bucket", "_count", "_sum")) {
                if (h.endsWith(suffix)) {
                    throw new IllegalArgumentException(what() + ": latency: expected the histogram's name, found '"
                            + h + "'; give it without '" + suffix + "', such as "
                            + h.substring(0, h.length() - suffix.length()));
                }
            }
            if (!(q > 0 && q < 1)) {
                throw new IllegalArgumentException(what() + ": latency of " + h + ": expected a quantile above 0 and "
                        + "below 1, found " + q + "; give one such as 0.99 for the 99th percentile");
            }
            return new Latency(this, h, q);
        }

        private String requireMetric(String m, String method, String example) {
            if (m == null || !Pattern.matches("[a-zA-Z_:][a-zA-Z0-9_:]*", m)) {
                throw new IllegalArgumentException(what() + ": " + method + ": expected a metric name of letters, "
                        + "digits, '_' and ':', found " + (m == null ? "null" : "'" + Texts.excerpt(m) + "'")
                        + "; give one such as " + example);
            }
            return m;
        }

        private String what() {
            return "metrics check of " + Texts.display(uri);
        }

        /** The source in one line. */
        @Override
        public String toString() {
            return "MetricsCheck.Source[" + Texts.display(uri) + (matchingText == null ? "" : " {" + matchingText + "}")
                    + "]";
        }
    }

    /** An error rate waiting for its bound. */
    public static final class ErrorRate {
        private final Source source;
        private final String counter;
        private final List<LabelMatcher> errors;
        private final String errorsText;

        private ErrorRate(Source source, String counter, List<LabelMatcher> errors, String errorsText) {
            this.source = source;
            this.counter = counter;
            this.errors = errors;
            this.errorsText = errorsText;
        }

        /**
         * The check: failing when the error rate is above {@code rate}, a fraction above 0 and below 1
         * ({@code 0.05} is 5%).
         *
         * @throws IllegalArgumentException if the rate is not above 0 and below 1
         */
        public MetricsCheck above(double rate) {
            if (!(rate > 0 && rate < 1)) {
                throw new IllegalArgumentException(source.what() + ": error rate of " + counter + ": expected a "
                        + "fraction above 0 and below 1, found " + rate + "; give one such as above(0.05) for 5%");
            }
            return new MetricsCheck(null, source, Kind.ERROR_RATE, counter, errors, errorsText, 0, rate, null);
        }

        /** The error rate in one line. */
        @Override
        public String toString() {
            return "MetricsCheck.ErrorRate[" + counter + "{" + errorsText + "}]";
        }
    }

    /** A latency quantile waiting for its bound. */
    public static final class Latency {
        private final Source source;
        private final String histogram;
        private final double q;

        private Latency(Source source, String histogram, double q) {
            this.source = source;
            this.histogram = histogram;
            this.q = q;
        }

        /**
         * The check: failing when the quantile is above {@code limit} (positive).
         *
         * @throws IllegalArgumentException if the limit is null, zero or negative
         */
        public MetricsCheck above(Duration limit) {
            Texts.requirePositive(limit, source.what() + ": latency of " + histogram + ": above");
            return new MetricsCheck(null, source, Kind.LATENCY, histogram, List.of(), null, q,
                    limit.toNanos() / 1e9, null);
        }

        /** The latency in one line. */
        @Override
        public String toString() {
            return "MetricsCheck.Latency[" + histogram + ", " + q + "]";
        }
    }

    /**
     * The check's name: by default what it judges and where, such as {@code error rate of
     * http_requests_total{status=~5..} at http://127.0.0.1:3000/metrics above 5%}.
     */
    @Override
    public String name() {
        if (name != null) {
            return name;
        }
        String where = " at " + Texts.display(source.uri) + (source.matchingText == null ? ""
                : " {" + source.matchingText + "}");
        return kind == Kind.ERROR_RATE
                ? "error rate of " + metric + "{" + errorsText + "}" + where + " above " + percent(bound)
                : quantileName() + " latency of " + metric + where + " above " + seconds(bound);
    }

    /** This check under another name, shown in reports. */
    public MetricsCheck named(String newName) {
        return new MetricsCheck(Texts.requireName(newName), source, kind, metric, errors, errorsText, quantile, bound,
                memory);
    }

    /**
     * A copy of this check that remembers its scrapes, its first taken now: later runs judge what
     * changed since the previous scrape. A failed scrape here is not an error: the first run then
     * judges the counters over their whole life.
     */
    @Override
    public Check begin(StepContext ctx) throws InterruptedException {
        Memory m = new Memory();
        Instant at = ctx.clock().instant();
        try {
            m.remember(read(), at);
        } catch (IOException | PromText.Malformed e) {
            ctx.progress(name() + ": no first scrape (" + (e instanceof ScrapeFailed ? e.getMessage()
                    : Attempts.describe(e)) + "); the first probe judges the "
                    + "counters over their whole life");
        }
        return new MetricsCheck(name, source, kind, metric, errors, errorsText, quantile, bound, m);
    }

    /** Scrapes once and judges the change since the previous scrape. */
    @Override
    public CheckResult run(StepContext ctx) throws InterruptedException {
        Instant at = ctx.clock().instant();
        boolean passed;
        String detail;
        try {
            PromText.Exposition now = read();
            Memory.Scrape before = memory == null ? null : memory.last();
            Verdict v = kind == Kind.ERROR_RATE ? errorRate(now, before, at) : latency(now, before, at);
            if (memory != null && v.keep()) {
                memory.remember(now, at);
            }
            passed = v.passed();
            detail = v.detail();
        } catch (HttpConnectTimeoutException e) {
            passed = false;
            detail = "could not scrape " + Texts.display(source.uri) + ": no connection within "
                    + Durations.compact(source.attemptTimeout);
        } catch (HttpTimeoutException e) {
            passed = false;
            detail = "could not scrape " + Texts.display(source.uri) + ": no answer within "
                    + Durations.compact(source.attemptTimeout);
        } catch (ConnectException e) {
            passed = false;
            detail = "could not scrape " + Texts.display(source.uri) + ": " + HttpCheck.connectFailure(e);
        } catch (ScrapeFailed e) {
            passed = false;
            detail = "could not scrape " + Texts.display(source.uri) + ": " + e.getMessage();
        } catch (IOException e) {
            passed = false;
            detail = "could not scrape " + Texts.display(source.uri) + ": " + Attempts.describe(e);
        } catch (PromText.Malformed e) {
            passed = false;
            detail = "the scrape of " + Texts.display(source.uri) + " is not the Prometheus text format: "
                    + e.getMessage();
        }
        Duration took = Duration.between(at, ctx.clock().instant());
        return new CheckResult(name(), passed, detail, 1, took, List.of(new CheckAttempt(1, at, passed, detail, took)));
    }

    /** How many attempts a run makes: one scrape. */
    @Override
    public int attemptsPerRun() {
        return 1;
    }

    private PromText.Exposition read() throws IOException, InterruptedException, PromText.Malformed {
        HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(source.attemptTimeout).build();
        HttpRequest.Builder request = HttpRequest.newBuilder(HttpCheck.withoutUserInfo(source.uri)).GET()
                .timeout(source.attemptTimeout).header("Accept", "text/plain;version=0.0.4");
        String authorization = HttpCheck.basicAuthorization(source.uri);
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        HttpResponse<byte[]> response = HttpCheck.exchange(client, request.build(), source.attemptTimeout,
                MAX_SCRAPE + 1);
        String body = new String(response.body(), StandardCharsets.UTF_8);
        if (response.statusCode() != 200) {
            throw new ScrapeFailed("expected status 200, found " + response.statusCode() + " with body '"
                    + Texts.excerpt(body) + "'");
        }
        if (response.body().length > MAX_SCRAPE) {
            throw new ScrapeFailed("expected at most 16 MiB of metrics, found more; expose fewer series or scrape "
                    + "a narrower endpoint");
        }
        String type = response.headers().firstValue("Content-Type").orElse("").toLowerCase(Locale.ROOT);
        if (type.startsWith("application/vnd.google.protobuf")) {
            throw new ScrapeFailed("expected the text format, found Content-Type '" + type + "'");
        }
        return PromText.parse(body);
    }

    /** An answer that is not a scrape: its status or size, in words. */
    private static final class ScrapeFailed extends IOException {
        private static final long serialVersionUID = 1L;

        ScrapeFailed(String message) {
            super(message);
        }
    }

    /** A judgement, and whether the scrape is the baseline of the next one. */
    private record Verdict(boolean passed, String detail, boolean keep) {}

    private Verdict errorRate(PromText.Exposition now, Memory.Scrape before, Instant at) {
        String type = now.typeOf(metric);
        if (type != null && !type.equals("counter") && !type.equals("untyped")) {
            return new Verdict(false, metric + " in the scrape of " + Texts.display(source.uri) + " is a " + type
                    + "; expected a counter of requests", false);
        }
        List<PromText.Sample> series = considered(now.named(metric));
        if (series.isEmpty()) {
            return missing(now, metric, "counter");
        }
        Map<String, Double> old = before == null ? Map.of() : before.values();
        double total = 0;
        double bad = 0;
        int resets = 0;
        for (PromText.Sample s : series) {
            if (Double.isNaN(s.value()) || Double.isInfinite(s.value()) || s.value() < 0) {
                return new Verdict(false, "counter " + Texts.excerpt(s.series()) + " is " + s.value()
                        + "; expected a finite count of zero or more", false);
            }
            Double prev = old.get(s.series());
            double delta = s.value();
            if (prev != null && s.value() >= prev) {
                delta = s.value() - prev;
            } else if (prev != null) {
                resets++;
            }
            total += delta;
            if (LabelMatcher.all(errors, s.labels())) {
                bad += delta;
            }
        }
        String over = over(before, at) + (resets == 0 ? "" : "; " + resets + " counter" + (resets == 1 ? "" : "s")
                + " reset since the previous scrape, counted from zero");
        if (total == 0) {
            return new Verdict(true, "no requests " + over + " (" + metric + " did not grow)", true);
        }
        double rate = bad / total;
        String detail = "error rate " + percent(rate) + " " + over + " (" + count(bad) + " of " + count(total)
                + " requests)";
        return rate > bound ? new Verdict(false, detail + ", above " + percent(bound), true)
                : new Verdict(true, detail + ", at most " + percent(bound), true);
    }

    private Verdict latency(PromText.Exposition now, Memory.Scrape before, Instant at) {
        String type = now.typeOf(metric);
        if (type != null && !type.equals("histogram")) {
            return new Verdict(false, metric + " in the scrape of " + Texts.display(source.uri) + " is a " + type
                    + "; expected a histogram" + (type.equals("summary") ? " (a summary's quantiles are computed by "
                    + "the application over its own window and cannot be compared between scrapes)" : ""), false);
        }
        List<PromText.Sample> buckets = considered(now.named(metric + "_bucket"));
        if (buckets.isEmpty()) {
            return missing(now, metric + "_bucket", "histogram");
        }
        Map<String, Double> old = before == null ? Map.of() : before.values();
        // group the buckets of each series (its labels without le), to see a reset of the whole series
        Map<String, Map<Double, double[]>> groups = new LinkedHashMap<>();
        for (PromText.Sample s : buckets) {
            String le = s.labels().get("le");
            double upper;
            try {
                upper = le == null ? Double.NaN : PromText.value(le);
            } catch (NumberFormatException e) {
                upper = Double.NaN;
            }
            if (Double.isNaN(upper)) {
                return new Verdict(false, "bucket " + Texts.excerpt(s.series()) + " has " + (le == null ? "no le label"
                        : "le=\"" + Texts.excerpt(le) + "\"") + "; expected an upper bound such as le=\"0.5\"", false);
            }
            Map<String, String> rest = new TreeMap<>(s.labels());
            rest.remove("le");
            Double prev = old.get(s.series());
            groups.computeIfAbsent(PromText.Sample.series(metric, rest), k -> new TreeMap<>())
                    .put(upper, new double[] {s.value(), prev == null ? Double.NaN : prev});
        }
        TreeMap<Double, Double> sum = new TreeMap<>();
        int resets = 0;
        for (Map.Entry<String, Map<Double, double[]>> g : groups.entrySet()) {
            if (!g.getValue().containsKey(Double.POSITIVE_INFINITY)) {
                return new Verdict(false, "histogram " + Texts.excerpt(g.getKey()) + " has no le=\"+Inf\" bucket; "
                        + "expected one counting every observation", false);
            }
            boolean reset = g.getValue().values().stream().anyMatch(v -> !Double.isNaN(v[1]) && v[0] < v[1]);
            boolean fresh = g.getValue().values().stream().allMatch(v -> Double.isNaN(v[1]));
            if (reset && !fresh) {
                resets++;
            }
            for (Map.Entry<Double, double[]> b : g.getValue().entrySet()) {
                double[] v = b.getValue();
                double delta = reset || Double.isNaN(v[1]) ? v[0] : v[0] - v[1];
                sum.merge(b.getKey(), delta, Double::sum);
            }
        }
        String over = over(before, at) + (resets == 0 ? "" : "; " + resets + " histogram series reset since the "
                + "previous scrape, counted from zero");
        double observations = sum.get(Double.POSITIVE_INFINITY);
        if (!(observations > 0)) {
            return new Verdict(true, "no observations of " + metric + " " + over, true);
        }
        // as histogram_quantile: cumulative counts made monotonic, the rank's bucket, linear inside it
        List<Double> bounds = new ArrayList<>(sum.keySet());
        double[] cumulative = new double[bounds.size()];
        double max = 0;
        for (int i = 0; i < bounds.size(); i++) {
            max = Math.max(max, sum.get(bounds.get(i)));
            cumulative[i] = max;
        }
        double rank = quantile * observations;
        int b = 0;
        while (cumulative[b] < rank) {
            b++;
        }
        String q = quantileName();
        String n = " (" + count(observations) + " observations)";
        if (b == bounds.size() - 1) {
            double top = bounds.size() >= 2 ? bounds.get(bounds.size() - 2) : Double.NaN;
            if (Double.isNaN(top) || top <= bound) {
                return new Verdict(false, q + " latency of " + metric + " beyond the highest finite bucket"
                        + (Double.isNaN(top) ? "" : " (" + seconds(top) + ")") + " " + over + n + "; expected buckets "
                        + "up to at least " + seconds(bound) + " to tell it from the bound; add them to the histogram",
                        true);
            }
            return new Verdict(false, q + " latency of " + metric + " above " + seconds(top) + " (the +Inf bucket) "
                    + over + n + ", above " + seconds(bound), true);
        }
        double end = bounds.get(b);
        double start = b == 0 ? Math.min(0, end) : bounds.get(b - 1);
        double below = b == 0 ? 0 : cumulative[b - 1];
        double inBucket = cumulative[b] - below;
        double estimate = b == 0 && end <= 0 ? end : start + (end - start) * ((rank - below) / inBucket);
        String detail = q + " latency " + seconds(estimate) + " " + over + n;
        return estimate > bound ? new Verdict(false, detail + ", above " + seconds(bound), true)
                : new Verdict(true, detail + ", at most " + seconds(bound), true);
    }

    private List<PromText.Sample> considered(List<PromText.Sample> samples) {
        return samples.stream().filter(s -> LabelMatcher.all(source.matching, s.labels())).toList();
    }

    private Verdict missing(PromText.Exposition now, String sampleName, String what) {
        List<PromText.Sample> named = now.named(sampleName);
        TreeSet<String> names = new TreeSet<>();
        now.samples().forEach(s -> names.add(s.name()));
        String found;
        if (!named.isEmpty()) {
            found = named.size() + " series of " + sampleName + ", none matching {" + source.matchingText + "}: "
                    + Texts.excerpt(String.join(", ", named.stream().limit(3).map(PromText.Sample::series).toList()));
        } else if (names.isEmpty()) {
            found = "no samples at all";
        } else {
            found = names.size() + " other metric" + (names.size() == 1 ? "" : "s") + ": "
                    + Texts.excerpt(String.join(", ", names.stream().limit(8).toList())) + (names.size() > 8 ? ", ..." : "");
        }
        return new Verdict(false, "expected the " + what + " " + metric + " in the scrape of "
                + Texts.display(source.uri) + ", found " + found, false);
    }

    private static String over(Memory.Scrape before, Instant at) {
        return before == null ? "over the counters' whole life (no earlier scrape)"
                : "over the last " + Durations.compact(Duration.between(before.at(), at));
    }

    private String quantileName() {
        String p = new java.math.BigDecimal(Double.toString(quantile * 100)).stripTrailingZeros().toPlainString();
        return "p" + p;
    }

    private static String percent(double fraction) {
        double p = fraction * 100;
        String s = p == Math.rint(p) ? String.format(Locale.ROOT, "%.0f", p) : String.format(Locale.ROOT, "%.1f", p);
        if (s.equals("0.0") && fraction > 0) {
            s = String.format(Locale.ROOT, "%.3f", p);
        }
        return s + "%";
    }

    private static String count(double n) {
        return n == Math.rint(n) ? String.format(Locale.ROOT, "%.0f", n) : String.format(Locale.ROOT, "%.1f", n);
    }

    private static String seconds(double s) {
        if (s >= 1) {
            return new java.math.BigDecimal(s).setScale(3, java.math.RoundingMode.HALF_UP).stripTrailingZeros()
                    .toPlainString() + " s";
        }
        double ms = s * 1000;
        return new java.math.BigDecimal(ms).setScale(ms >= 10 ? 0 : 2, java.math.RoundingMode.HALF_UP)
                .stripTrailingZeros().toPlainString() + " ms";
    }

    /** The check in one line. */
    @Override
    public String toString() {
        return "MetricsCheck[" + name() + (memory == null ? "" : ", begun") + "]";
    }

    /** The last good scrape of a begun check. */
    private static final class Memory {
        record Scrape(Map<String, Double> values, Instant at) {}

        private Scrape last;

        synchronized Scrape last() {
            return last;
        }

        synchronized void remember(PromText.Exposition e, Instant at) {
            Map<String, Double> values = new HashMap<>();
            e.samples().forEach(s -> values.put(s.series(), s.value()));
            last = new Scrape(values, at);
        }
    }

    /** One label matcher of a selector: {@code name op value}. */
    private record LabelMatcher(String label, String op, String value, Pattern regex) {

        private static final Pattern ONE = Pattern.compile(
                "\\s*([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!~|!=|=)\\s*(\"(?:[^\"\\\\]|\\\\.)*\"|[^,\"]*?)\\s*(,|$)");

        boolean matches(Map<String, String> labels) {
            String v = labels.getOrDefault(label, "");
            return switch (op) {
                case "=" -> v.equals(value);
                case "!=" -> !v.equals(value);
                case "=~" -> regex.matcher(v).matches();
                default -> !regex.matcher(v).matches();
            };
        }

        static boolean all(List<LabelMatcher> matchers, Map<String, String> labels) {
            return matchers.stream().allMatch(m -> m.matches(labels));
        }

        static List<LabelMatcher> parse(String selector, String what) {
            String example = "; give label matchers such as status=~5.. or code!=\"200\",method=GET";
            if (selector == null || selector.isBlank()) {
                throw new IllegalArgumentException(what + ": expected label matchers, found "
                        + (selector == null ? "null" : "nothing") + example);
            }
            String text = selector.strip();
            if (text.startsWith("{") && text.endsWith("}")) {
                text = text.substring(1, text.length() - 1);
            }
            List<LabelMatcher> out = new ArrayList<>();
            Matcher m = ONE.matcher(text);
            int at = 0;
            while (at < text.length()) {
                if (!m.find(at) || m.start() != at) {
                    throw new IllegalArgumentException(what + ": expected label matchers, found '"
                            + Texts.excerpt(selector) + "' not readable at '" + Texts.excerpt(text.substring(at)) + "'"
                            + example);
                }
                String raw = m.group(3);
                String value = raw.startsWith("\"") ? raw.substring(1, raw.length() - 1)
                        .replace("\\\"", "\"").replace("\\\\", "\\") : raw;
                Pattern regex = null;
                if (m.group(2).contains("~")) {
                    try {
                        regex = Pattern.compile(value);
                    } catch (PatternSyntaxException e) {
                        throw new IllegalArgumentException(what + ": expected a regular expression after "
                                + m.group(1) + m.group(2) + ", found '" + Texts.excerpt(value) + "': "
                                + e.getDescription() + example);
                    }
                }
                out.add(new LabelMatcher(m.group(1), m.group(2), value, regex));
                at = m.end();
                if (m.group(4).equals(",") && at >= text.length()) {
                    break; // a trailing comma, as PromQL allows
                }
            }
            return List.copyOf(out);
        }
    }
}
