package dev.rollback.db;

import dev.rollback.host.Command;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** How the migration targets run a migration tool's command line. Not API; stateless. */
final class MigrationCommands {

    private MigrationCommands() {}

    /** {@code env} with one more variable, unmodifiable. */
    static Map<String, String> withVariable(Map<String, String> env, String variable, String value) {
        Map<String, String> more = new LinkedHashMap<>(env);
        more.put(Objects.requireNonNull(variable, "variable"), Objects.requireNonNull(value, "value"));
        return Collections.unmodifiableMap(more);
    }

    /** The command {@code argv}, run in {@code dir} (unless null) with {@code env}, for at most two hours. */
    static Command command(List<String> argv, Path dir, Map<String, String> env) {
        Command c = Command.of(argv).timeout(Duration.ofHours(2));
        if (dir != null) {
            c = c.in(dir);
        }
        for (Map.Entry<String, String> e : env.entrySet()) {
            c = c.env(e.getKey(), e.getValue());
        }
        return c;
    }
}
