package dev.rollback.targets;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FormatTest {

    static Optional<String> check(Format format, String text) {
        return format.validate(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void shouldDetectTheFormatFromTheFileName() {
        assertThat(Format.of(Path.of("/srv/app/config.json"))).isEqualTo(Format.JSON);
        assertThat(Format.of(Path.of("docker-compose.yml"))).isEqualTo(Format.YAML);
        assertThat(Format.of(Path.of("app.YAML"))).isEqualTo(Format.YAML);
        assertThat(Format.of(Path.of("application.properties"))).isEqualTo(Format.PROPERTIES);
        assertThat(Format.of(Path.of("/srv/app/.env"))).isEqualTo(Format.DOTENV);
        assertThat(Format.of(Path.of("prod.env"))).isEqualTo(Format.DOTENV);
        assertThat(Format.of(Path.of(".env.production"))).isEqualTo(Format.DOTENV);
        assertThat(Format.of(Path.of("/etc/nginx/sites-available/shop"))).isEqualTo(Format.PLAIN);
        assertThat(Format.of(Path.of("environment"))).isEqualTo(Format.PLAIN);
    }

    @Test
    void shouldAcceptValidJsonAndReportTheLineAndColumnOfAMistake() {
        assertThat(check(Format.JSON, "{\"a\": [1, 2, {\"b\": null}]}\n")).isEmpty();

        assertThat(check(Format.JSON, "{\n  \"a\": 1,\n  \"b\": 2,,\n}\n")).hasValueSatisfying(m -> assertThat(m)
                .startsWith("line 3, column 10: "));
        assertThat(check(Format.JSON, "")).hasValue("expected a JSON value, found an empty file");
        assertThat(check(Format.JSON, "{} {}")).hasValueSatisfying(m -> assertThat(m)
                .contains("expected one JSON value, found another"));
        assertThat(check(Format.JSON, "{\"a\": 1, \"a\": 2}")).hasValueSatisfying(m -> assertThat(m)
                .contains("Duplicate field 'a'"));
    }

    @Test
    void shouldNotQuoteAnUnquotedJsonValueInItsMessage() {
        assertThat(check(Format.JSON, "{\"password\": hunter2secret}")).hasValueSatisfying(m -> assertThat(m)
                .startsWith("line 1, column ").doesNotContain("hunter2secret"));
    }

    @Test
    void shouldAcceptValidYamlAndReportTheLineAndColumnOfAMistakeWithoutQuotingTheFile() {
        String compose = """
                services:
                  web:
                    image: "shop:1.4"
                    environment:
                      - DB_PASSWORD=s3cret-value
                ---
                second: document
                """;
        assertThat(check(Format.YAML, compose)).isEmpty();
        assertThat(check(Format.YAML, "")).isEmpty();

        Optional<String> bad = check(Format.YAML, "services:\n  web:\n    image: shop\n   ports: [80\n  db: x: s3cret-value\n");
        assertThat(bad).hasValueSatisfying(m -> assertThat(m).matches("line \\d+, column \\d+: .*")
                .doesNotContain("s3cret-value").doesNotContain("\n"));
        assertThat(check(Format.YAML, "a: 1\na: 2\n")).hasValueSatisfying(m -> assertThat(m)
                .startsWith("line 2").contains("Duplicate field 'a'"));
    }

    @Test
    void shouldAcceptDotenvAssignmentsExportsQuotesAndComments() {
        String env = """
                # the shop's settings
                APP_ENV=production

                export DB_HOST=db.internal
                DB_PASSWORD="p@ss \\"word\\" # not a comment"
                GREETING='hello world'   # a comment
                MULTI="line one
                line two"
                EMPTY=
                SPACED = value with spaces # trailing comment
                dotted.key-name=1
                """;
        assertThat(check(Format.DOTENV, env)).isEmpty();
        assertThat(check(Format.DOTENV, "A=1\r\nB=2\r\n")).isEmpty();
    }

    @Test
    void shouldRejectDotenvLinesThatAreNotAssignmentsWithoutQuotingThem() {
        assertThat(check(Format.DOTENV, "A=1\n  this is not an assignment hunter2\n")).hasValue(
                "line 2, column 3: expected an assignment KEY=value, found a line without '='");
        assertThat(check(Format.DOTENV, "A=1\n1BAD=x\n")).hasValueSatisfying(m -> assertThat(m)
                .startsWith("line 2, column 1: expected a key").contains("'1BAD'"));
        assertThat(check(Format.DOTENV, "A=1\nTOKEN=\"abc-secret\nB=2\n")).hasValue(
                "line 2, column 7: expected a closing \" for the value of TOKEN, found none before the end of the file");
        assertThat(check(Format.DOTENV, "TOKEN='abc-secret' trailing\n")).hasValueSatisfying(m -> assertThat(m)
                .startsWith("line 1, column 20: expected nothing but a comment").doesNotContain("abc-secret"));
    }

    @Test
    void shouldAcceptWhatPropertiesReadAndRejectAMalformedUnicodeEscape() {
        String props = """
                # comment
                ! another
                server.port=8080
                spring.datasource.password : s3cret
                key with\\ space value
                long.value = first \\
                    second
                unicode=caf\\u00e9
                """;
        assertThat(check(Format.PROPERTIES, props)).isEmpty();
        assertThat(check(Format.PROPERTIES, "a=1\nb=bad \\u12G4 escape\n")).hasValue(
                "line 2, column 7: expected a unicode escape \\uXXXX with four hex digits, found a malformed one");
        assertThat(check(Format.PROPERTIES, "# \\uZZZZ in a comment is fine\n")).isEmpty();
    }

    @Test
    void shouldAcceptAnythingAsPlain() {
        assertThat(Format.PLAIN.validate(new byte[] {0, (byte) 0xff, 10})).isEmpty();
    }
}
