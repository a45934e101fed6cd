package dev.rollback.store;

import dev.rollback.internal.Json;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The owner note beside a lock: the owner's fields and, on a server, the pid of the process holding the lock. */
final class OwnerNotes {

    private OwnerNotes() {}

    static byte[] bytes(LockOwner owner, long lockPid) {
        Map<String, String> m = new LinkedHashMap<>(owner.toFields());
        if (lockPid > 0) {
            m.put("lockPid", Long.toString(lockPid));
        }
        return Json.bytes(m);
    }

    @SuppressWarnings("unchecked")
    static Optional<Map<String, String>> fields(byte[] note) {
        try {
            Map<String, Object> raw = Json.read(note, Map.class);
            Map<String, String> m = new LinkedHashMap<>();
            raw.forEach((k, v) -> m.put(k, String.valueOf(v)));
            return Optional.of(m);
        } catch (RuntimeException e) {
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
