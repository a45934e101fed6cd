package dev.rollback.targets;

import dev.rollback.host.Command;
import dev.rollback.host.CommandResult;
import dev.rollback.host.Host;
import dev.rollback.spi.Plural;
import dev.rollback.targets.ConfigSnapshots.Saved;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Validates {@link ConfigFiles} files on a host: each file by its {@link Format} and the validation
 * command by its exit code, and says in words how a restore is validated.
 *
 * <p>Immutable and thread-safe.
 */
final class ConfigValidation {

    private final List<Format> formats;
    private final List<String> command;

    ConfigValidation(List<Format> formats, List<String> command) {
        this.formats = formats;
        this.command = command;
    }

    /** Every problem of the files on the host and of the validation command; empty if they validate. */
    List<String> validate(Host host, List<Saved> saved) {
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < saved.size(); i++) {
            Saved s = saved.get(i);
            if (!s.present()) {
                continue;
            }
            Format format = formats.get(i);
            byte[] content;
            try {
                content = host.read(s.path());
            } catch (RuntimeException e) {
                problems.add("expected to read " + s.path() + " back, found: " + e.getMessage());
                continue;
            }
            format.validate(content).ifPresent(p -> problems.add(s.path() + " is not valid " + format + ": " + p));
        }
        if (!command.isEmpty()) {
            commandProblem(host).ifPresent(problems::add);
        }
        return problems;
    }

    /** Runs the validation command; the problem if it does not exit 0 or cannot run. */
    Optional<String> commandProblem(Host host) {
        Command cmd = Command.of(command);
        CommandResult result;
        try {
            result = host.run(cmd);
        } catch (RuntimeException e) {
            return Optional.of("expected the validation command '" + cmd.display() + "' to run, found: "
                    + e.getMessage());
        }
        if (result.succeeded()) {
            return Optional.empty();
        }
        return Optional.of("expected the validation command to exit 0, found: " + result.describe());
    }

    /** Problems as one text: the problem alone, or {@code (1) …; (2) …}. */
    static String numbered(List<String> problems) {
        if (problems.size() == 1) {
            return "this problem: " + problems.get(0);
        }
        StringBuilder text = new StringBuilder(Plural.of(problems.size(), "problem") + ": ");
        for (int i = 0; i < problems.size(); i++) {
            text.append(i == 0 ? "" : "; ").append('(').append(i + 1).append(") ").append(problems.get(i));
        }
        return text.toString();
    }

    String validationText() {
        Set<String> builtIn = new LinkedHashSet<>();
        formats.stream().filter(f -> f != Format.PLAIN).forEach(f -> builtIn.add(f.toString()));
        List<String> parts = new ArrayList<>();
        if (!builtIn.isEmpty()) {
            parts.add("the built-in " + String.join(", ", builtIn) + " check");
        }
        if (!command.isEmpty()) {
            parts.add("the command '" + Command.of(command).display() + "' (exit 0 = valid)");
        }
        return parts.isEmpty() ? "nothing to check (plain files, no command)" : String.join(" and ", parts);
    }
}
