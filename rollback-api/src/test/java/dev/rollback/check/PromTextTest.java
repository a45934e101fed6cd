package dev.rollback.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PromTextTest {

    @Test
    void shouldReadTheFormatWithCommentsEscapesSpecialValuesAndTimestamps() throws Exception {
        PromText.Exposition e = PromText.parse("""
                # A comment that is neither HELP nor TYPE
                # HELP http_requests_total The total number of HTTP requests, with a \\\\ and a \\n.
                # TYPE http_requests_total counter
                http_requests_total{method="post",code="200"} 1027 1395066363000
                http_requests_total{method="post",code="400",}    3 1395066363000

                msdos_file_access_time_seconds{path="C:\\\\DIR\\\\FILE.TXT",error="Cannot find file:\\n\\"FILE.TXT\\""} 1.458255915e9
                metric_without_timestamp_and_labels 12.47
                something_weird{problem="division by zero"} +Inf -3982045
                not_a_number NaN
                below -Inf
                	  indented{a="1"}	2
                # TYPE http_request_duration_seconds histogram
                http_request_duration_seconds_bucket{le="+Inf"} 144320
                # EOF
                """);

        assertThat(e.samples()).hasSize(9);
        assertThat(e.typeOf("http_requests_total")).isEqualTo("counter");
        assertThat(e.typeOf("http_request_duration_seconds")).isEqualTo("histogram");
        PromText.Sample first = e.samples().get(0);
        assertThat(first.labels()).isEqualTo(Map.of("method", "post", "code", "200"));
        assertThat(first.value()).isEqualTo(1027);
        assertThat(first.timestamp()).isEqualTo(1395066363000L);
        assertThat(first.series()).isEqualTo("http_requests_total{code=\"200\",method=\"post\"}");
        assertThat(e.samples().get(1).value()).isEqualTo(3);
        assertThat(e.samples().get(2).labels()).containsEntry("path", "C:\\DIR\\FILE.TXT")
                .containsEntry("error", "Cannot find file:\n\"FILE.TXT\"");
        assertThat(e.samples().get(2).value()).isEqualTo(1.458255915e9);
        assertThat(e.samples().get(3).timestamp()).isNull();
        assertThat(e.samples().get(4).value()).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(e.samples().get(4).timestamp()).isEqualTo(-3982045L);
        assertThat(e.samples().get(5).value()).isNaN();
        assertThat(e.samples().get(6).value()).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(e.samples().get(7).labels()).containsEntry("a", "1");
        assertThat(e.samples().get(8).labels()).containsEntry("le", "+Inf");
    }

    @Test
    void shouldRejectWhatIsNotTheFormatWithTheLineAndWhatWasFound() {
        assertMalformed("a 1\nb{x=\"1\" 2\n", "line 2: expected ',' or '}' after the label x, found '2' at column 9");
        assertMalformed("a{x=\"1\\t\"} 2\n", "line 1: expected an escape \\\\, \\n or \\\", found '\\t'");
        assertMalformed("a{x=1} 2\n", "line 1: expected a quoted value of the label x, found '1} 2' at column 5");
        assertMalformed("a{x=\"1\",x=\"2\"} 2\n", "line 1: expected each label once in a, found x twice");
        assertMalformed("a\n", "line 1: expected a blank and a value after a, found the end of the line");
        assertMalformed("a one\n", "line 1: expected a value of a (a number, NaN, +Inf or -Inf), found 'one'");
        assertMalformed("a 1 12:00\n", "line 1: expected a timestamp in milliseconds after the value of a, "
                + "found '12:00'");
        assertMalformed("a 1 2 3\n", "line 1: expected the end of the line after the sample of a, found '3' at "
                + "column 7");
        assertMalformed("9a 1\n", "line 1: expected a metric name, found '9a 1' at column 1");
        assertMalformed("a 1\na 2\n", "line 2: expected each series once, found a again");
        assertMalformed("# TYPE a counter\n# TYPE a gauge\n", "line 2: expected one TYPE line for a, found a second");
        assertMalformed("# TYPE a timer\n", "line 1: expected the type of a (counter, gauge, histogram, summary or "
                + "untyped), found 'timer'");
        assertMalformed("h_bucket{le=\"1\"} 1\n# TYPE h histogram\n", "line 2: expected the TYPE line of h before "
                + "its first sample, found it after");
        assertMalformed("# HELP a one\n# HELP a two\n", "line 2: expected one HELP line for a, found a second");
        assertMalformed("# HELP a bad \\q escape\n", "line 1: expected an escape \\\\, \\n, found '\\q'");
        assertMalformed("<html>\n", "line 1: expected a metric name, found '<html>' at column 1");
    }

    private static void assertMalformed(String text, String message) {
        assertThatThrownBy(() -> PromText.parse(text)).isInstanceOf(PromText.Malformed.class).hasMessage(message);
    }
}
