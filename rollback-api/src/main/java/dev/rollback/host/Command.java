package dev.rollback.host;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A command to run on a {@link Host}: an argv list (never a shell string), with an optional working
 * folder, extra environment variables, a timeout and standard input. Each argument reaches the
 * program exactly as given: spaces, quotes, {@code ;} and {@code $(...)} are not interpreted.
 *
 * <p>Immutable and thread-safe. Environment values are never printed by {@link #toString()}, so
 * pass passwords there rather than in arguments.
 *
 * <pre>{@code
 * Command.of("systemctl", "restart", "rosey-bot").timeout(Duration.ofSeconds(30))
 * Command.of("pg_dump", "-Fc", "blog").env("PGPASSWORD", password).in(Path.of("/srv/blog"))
 * }</pre>
 *
 * @param argv the program and its arguments
 * @param workDir the working folder, or null for the host's default
 * @param env variables added to the host's environment
 * @param timeout how long the command may run before it and its children are killed
 * @param stdin bytes fed to standard input, or null for none
 */
public record Command(List<String> argv, Path workDir, Map<String, String> env, Duration timeout, byte[] stdin) {

    /** The timeout of a command that does not set one. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(10);

    /** Validates the parts and copies the collections. */
    public Command {
        Objects.requireNonNull(argv, "argv");
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("command: expected a program name and its arguments, found an empty "
                    + "argv; give at least the program, e.g. Command.of(\"systemctl\", \"status\", \"app\")");
        }
        for (int i = 0; i < argv.size(); i++) {
            if (argv.get(i) == null) {
                throw new IllegalArgumentException("command " + argv + ": argument " + i + " is null; give a text");
            }
            if (argv.get(i).indexOf('\0') >= 0) {
                throw new IllegalArgumentException("command " + argv.get(0) + ": argument " + i
                        + " holds a NUL character, which no program can receive; remove it");
            }
        }
        if (argv.get(0).isBlank()) {
            throw new IllegalArgumentException("command " + argv + ": expected a program name, found a blank one");
        }
        argv = List.copyOf(argv);
        env = Collections.unmodifiableMap(new LinkedHashMap<>(env == null ? Map.of() : env));
        timeout = timeout == null ? DEFAULT_TIMEOUT : timeout;
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("command " + argv.get(0) + ": expected a positive timeout, found " + timeout);
        }
        stdin = stdin == null ? null : stdin.clone();
    }

    /** A command with the given program and arguments. */
    public static Command of(String... argv) {
        return of(Arrays.asList(argv));
    }

    /** A command with the given argv list. */
    public static Command of(List<String> argv) {
        return new Command(argv, null, Map.of(), DEFAULT_TIMEOUT, null);
    }

    /** This command run in {@code dir}. */
    public Command in(Path dir) {
        return new Command(argv, Objects.requireNonNull(dir, "dir"), env, timeout, stdin);
    }

    /** This command with one more environment variable. */
    public Command env(String name, String value) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, () -> "value of " + name);
        Map<String, String> more = new LinkedHashMap<>(env);
        more.put(name, value);
        return new Command(argv, workDir, more, timeout, stdin);
    }

    /** This command with the given timeout. */
    public Command timeout(Duration limit) {
        return new Command(argv, workDir, env, Objects.requireNonNull(limit, "timeout"), stdin);
    }

    /** This command with bytes for its standard input. */
    public Command input(byte[] bytes) {
        return new Command(argv, workDir, env, timeout, Objects.requireNonNull(bytes, "stdin"));
    }

    /** The stdin bytes, or null; a copy. */
    @Override
    public byte[] stdin() {
        return stdin == null ? null : stdin.clone();
    }

    /** The argv as one line for messages, each argument quoted when it needs to be; no environment. */
    public String display() {
        StringBuilder text = new StringBuilder();
        for (String a : argv) {
            if (text.length() > 0) {
                text.append(' ');
            }
            text.append(a.isEmpty() || a.chars().anyMatch(c -> " \t\n'\"\\$;&|<>()`*?".indexOf(c) >= 0)
                    ? "'" + a.replace("'", "'\\''") + "'" : a);
        }
        return text.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Command c && argv.equals(c.argv) && Objects.equals(workDir, c.workDir) && env.equals(c.env)
                && timeout.equals(c.timeout) && Arrays.equals(stdin, c.stdin);
    }

    @Override
    public int hashCode() {
        return Objects.hash(argv, workDir, env, timeout, Arrays.hashCode(stdin));
    }

    @Override
    public String toString() {
        return "Command[" + display() + (workDir == null ? "" : " in " + workDir)
                + (env.isEmpty() ? "" : ", env " + env.keySet()) + ", timeout " + timeout + "]";
    }
}
