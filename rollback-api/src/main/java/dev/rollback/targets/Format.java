package dev.rollback.targets;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.rollback.internal.ConfigText;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * The format of a config file, and its built-in validator: JSON, YAML, properties, dotenv, or plain
 * (any file, no built-in check). {@link ConfigFiles} detects it from the file name with {@link
 * #of(Path)}; declare it with {@link ConfigFiles#validatedAs(Format)} when the name does not say.
 *
 * <p>What each validator accepts:
 *
 * <ul>
 *   <li>{@link #JSON}: exactly one JSON value, no duplicate member names.
 *   <li>{@link #YAML}: one or more YAML documents, no duplicate keys (a compose file is YAML).
 *   <li>{@link #PROPERTIES}: what {@link java.util.Properties#load(java.io.Reader)} reads without
 *       error, which is anything but a malformed {@code \}{@code uXXXX} escape.
 *   <li>{@link #DOTENV}: comments, blank lines and assignments {@code KEY=value} or {@code export
 *       KEY=value}, the value bare or in single or double quotes (which may span lines); the key
 *       letters, digits, {@code _ . -}, starting with a letter or {@code _}.
 *   <li>{@link #PLAIN}: anything.
 * </ul>
 *
 * <p>A validator's message gives the line and column when they are known, and never quotes a value
 * from the file (at most a key), so it is safe to log.
 *
 * <pre>{@code
 * Format.of(Path.of("/srv/app/.env"))                        // DOTENV
 * Format.JSON.validate(bytes)                                // Optional[line 3, column 5: ...]
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public enum Format {

    /** JSON ({@code *.json}). */
    JSON,
    /** YAML ({@code *.yaml}, {@code *.yml}), compose files included. */
    YAML,
    /** Java properties ({@code *.properties}). */
    PROPERTIES,
    /** Environment files ({@code .env}, {@code *.env}, {@code .env.*}). */
    DOTENV,
    /** Any other file: restored byte for byte, with no built-in check. */
    PLAIN;

    private static final JsonFactory JSON_FACTORY = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    private static final YAMLFactory YAML_FACTORY = YAMLFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    /**
     * The format a file's name says: {@code .json}, {@code .yaml}/{@code .yml}, {@code .properties},
     * {@code .env}/{@code *.env}/{@code .env.*} (such as {@code .env.production}); {@link #PLAIN}
     * for any other name. Case does not matter.
     */
    public static Format of(Path file) {
        Objects.requireNonNull(file, "file");
        Path fileName = file.getFileName();
        String name = fileName == null ? "" : fileName.toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".json")) {
            return JSON;
        }
        if (name.endsWith(".yaml") || name.endsWith(".yml")) {
            return YAML;
        }
        if (name.endsWith(".properties")) {
            return PROPERTIES;
        }
        if (name.endsWith(".env") || name.startsWith(".env.")) {
            return DOTENV;
        }
        return PLAIN;
    }

    /**
     * Checks content against this format.
     *
     * @return empty if the content is valid; otherwise the first mistake, as {@code line L, column
     *     C: what was expected and found} (line and column when known), never quoting a value
     */
    public Optional<String> validate(byte[] content) {
        Objects.requireNonNull(content, "content");
        return switch (this) {
            case JSON -> jackson(JSON_FACTORY, content, false);
            case YAML -> jackson(YAML_FACTORY, content, true);
            case PROPERTIES -> parsed(ConfigText.properties(ConfigText.plainLines(text(content))));
            case DOTENV -> parsed(ConfigText.dotenv(ConfigText.plainLines(text(content))));
            case PLAIN -> Optional.empty();
        };
    }

    /** The lower-case name used in messages: {@code dotenv}, {@code json}. */
    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The lines of {@code content} as they may be shown, secret-looking values masked, and the values masked. */
    ConfigText.Masked mask(String content) {
        var lines = ConfigText.plainLines(content);
        return switch (this) {
            case DOTENV -> ConfigText.maskEntries(lines, ConfigText.dotenv(lines).entries());
            case PROPERTIES -> ConfigText.maskEntries(lines, ConfigText.properties(lines).entries());
            case JSON -> ConfigText.maskJson(lines);
            case YAML, PLAIN -> ConfigText.maskLoose(lines);
        };
    }

    static String text(byte[] content) {
        return new String(content, StandardCharsets.UTF_8);
    }

    private static Optional<String> parsed(ConfigText.Parsed p) {
        return p.valid() ? Optional.empty() : Optional.of(at(p.line(), p.column()) + p.error());
    }

    private static Optional<String> jackson(JsonFactory factory, byte[] content, boolean documents) {
        try (JsonParser parser = factory.createParser(content)) {
            int values = 0;
            int depth = 0;
            JsonToken token;
            while ((token = parser.nextToken()) != null) {
                if (token.isStructEnd()) {
                    depth--;
                    continue;
                }
                if (depth == 0 && ++values > 1 && !documents) {
                    JsonLocation where = parser.currentTokenLocation();
                    return Optional.of(at(where.getLineNr(), where.getColumnNr())
                            + "expected one JSON value, found another after it");
                }
                if (token.isStructStart()) {
                    depth++;
                }
            }
            if (values == 0 && !documents) {
                return Optional.of("expected a JSON value, found " + (content.length == 0 ? "an empty file"
                        : "only blanks"));
            }
            return Optional.empty();
        } catch (JsonProcessingException e) {
            if (e.getCause() instanceof MarkedYAMLException y) {
                Mark mark = y.getProblemMark();
                String problem = y.getProblem() == null ? "not valid YAML" : y.getProblem();
                String context = y.getContext() == null ? "" : y.getContext() + ": ";
                return Optional.of(mark == null ? context + problem
                        : at(mark.getLine() + 1, mark.getColumn() + 1) + context + problem);
            }
            JsonLocation where = e.getLocation();
            String message = Objects.requireNonNullElse(e.getOriginalMessage(), e.getClass().getSimpleName())
                    .replaceAll("(Unrecognized token )'[^']*'", "$1(not shown)")
                    .lines().findFirst().orElse("");
            return Optional.of((where == null ? "" : at(where.getLineNr(), where.getColumnNr())) + message);
        } catch (IOException e) {
            throw new IllegalStateException("reading bytes in memory failed: " + e, e);
        }
    }

    private static String at(int line, int column) {
        if (line <= 0) {
            return "";
        }
        return "line " + line + (column > 0 ? ", column " + column : "") + ": ";
    }
}
