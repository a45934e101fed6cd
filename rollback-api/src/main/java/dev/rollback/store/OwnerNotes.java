package dev.rollback.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The owner note beside a lock: the owner's fields and, on a server, the pid of the process holding the lock. */
final class OwnerNotes {

    private static final ObjectMapper JSON = new ObjectMapper();

    private OwnerNotes() {}

    static byte[] bytes(LockOwner owner, long lockPid) {
        Map<String, String> m = new LinkedHashMap<>(owner.toFields());
        if (lockPid > 0) {
            m.put("lockPid", Long.toString(lockPid));
        }
        try {
            return JSON.writeValueAsBytes(m);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write an owner note of " + m, e);
        }
    }

    static Optional<Map<String, String>> fields(byte[] note) {
        try {
            Map<String, Object> raw = JSON.readValue(note, new TypeReference<Map<String, Object>>() {});
            Map<String, String> m = new LinkedHashMap<>();
            raw.forEach((k, v) -> m.put(k, String.valueOf(v)));
            return Optional.of(m);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    static Optional<LockOwner> owner(byte[] note) {
        try {
            return fields(note).map(LockOwner::fromFields);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
