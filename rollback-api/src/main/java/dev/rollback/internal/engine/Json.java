package dev.rollback.internal.engine;

import com.fasterxml.jackson.annotation.JsonAutoDetect.Visibility;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.rollback.store.StoreException;
import java.nio.file.Path;

/**
 * The one JSON mapper of the library: records are written field by field (derived methods such as
 * {@code isSuccessful()} are not properties), times as ISO-8601 text, nulls left out.
 *
 * <p>Thread-safe.
 */
public final class Json {

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .setVisibility(PropertyAccessor.ALL, Visibility.NONE)
            .setVisibility(PropertyAccessor.FIELD, Visibility.ANY)
            .setVisibility(PropertyAccessor.CREATOR, Visibility.ANY)
            .setDefaultPropertyInclusion(JsonInclude.Include.NON_NULL)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(SerializationFeature.INDENT_OUTPUT);

    private Json() {}

    /** The value as pretty-printed JSON. */
    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + value.getClass().getSimpleName() + " as JSON: "
                    + e.getOriginalMessage(), e);
        }
    }

    /** The value as JSON bytes in UTF-8. */
    public static byte[] bytes(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + value.getClass().getSimpleName() + " as JSON: "
                    + e.getOriginalMessage(), e);
        }
    }

    /** Reads a value of the given type. */
    public static <T> T read(String json, Class<T> type) {
        try {
            return MAPPER.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new StoreException("cannot read " + type.getSimpleName() + " from JSON: expected what "
                    + "this library wrote, found " + problem(e) + "; restore the file from a copy or delete it", e);
        }
    }

    /**
     * Reads a value of the given type from the file {@code file} holding {@code json}; a syntax
     * error names the file, its line and column.
     */
    public static <T> T read(Path file, byte[] json, Class<T> type) {
        try {
            return MAPPER.readValue(json, type);
        } catch (java.io.IOException e) {
            throw new StoreException(file + ": expected a " + type.getSimpleName() + " as this library writes it, found "
                    + problem(e) + "; restore the file from a copy or delete it", e);
        }
    }

    /** Where and what a JSON error is, without the redacted source Jackson prints. */
    static String problem(java.io.IOException e) {
        if (e instanceof JsonProcessingException j) {
            String at = j.getLocation() == null ? "" : " at line " + j.getLocation().getLineNr() + ", column "
                    + j.getLocation().getColumnNr();
            return "an error" + at + ": " + j.getOriginalMessage();
        }
        return e.toString();
    }

    /** The mapper, for the other internal classes that work on JSON trees. */
    static ObjectMapper mapper() {
        return MAPPER;
    }

    /** Reads a value of the given type from UTF-8 bytes. */
    public static <T> T read(byte[] json, Class<T> type) {
        return read(new String(json, java.nio.charset.StandardCharsets.UTF_8), type);
    }
}
