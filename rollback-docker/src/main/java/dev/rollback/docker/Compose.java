package dev.rollback.docker;

import dev.rollback.docker.DockerException.Reason;
import dev.rollback.host.Command;
import dev.rollback.host.CommandResult;
import dev.rollback.host.Host;
import dev.rollback.host.HostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Compose on one host: {@code docker compose} (the v2 plugin) when the host has it, else {@code
 * docker-compose} (v1, as in Debian 12); every call an argv list, every failure a {@link
 * DockerException}.
 *
 * @param docker the docker CLI of the host
 * @param program the argv prefix: {@code [docker, compose]} or {@code [docker-compose]}
 */
record Compose(Docker docker, List<String> program) {

    private static final Duration TIMEOUT = Duration.ofMinutes(5);

    /** Copies the list. */
    public Compose {
        program = List.copyOf(program);
    }

    /**
     * The compose of the host.
     *
     * @throws DockerException with {@link Reason#COMPOSE_MISSING} if it has neither
     */
    public static Compose detect(Docker docker, String target) {
        if (docker.host().hasProgram("docker") && docker.tryRun(List.of("compose", "version"), Map.of()).succeeded()) {
            return new Compose(docker, List.of("docker", "compose"));
        }
        if (docker.host().hasProgram("docker-compose")) {
            return new Compose(docker, List.of("docker-compose"));
        }
        throw new DockerException(Reason.COMPOSE_MISSING, "container target '" + target + "': expected 'docker compose' "
                + "or 'docker-compose' on host " + docker.host().name() + ", found neither; install one (Debian 12: "
                + "apt-get install docker-compose)", null, target);
    }

    /** The program as one word for messages. */
    public String display() {
        return String.join(" ", program);
    }

    /**
     * Runs compose with the given files (the project folder is the first file's folder), project
     * name and env file (each may be null), and arguments; the result whatever its exit code.
     */
    public CommandResult tryRun(List<Path> files, Path projectDir, String project, Path envFile, List<String> args) {
        List<String> argv = new ArrayList<>(program);
        for (Path f : files) {
            argv.add("--file");
            argv.add(f.toString());
        }
        argv.add("--project-directory");
        argv.add(projectDir.toString());
        if (project != null) {
            argv.add("--project-name");
            argv.add(project);
        }
        if (envFile != null) {
            argv.add("--env-file");
            argv.add(envFile.toString());
        }
        argv.addAll(args);
        Host host = docker.host();
        try {
            return host.run(Command.of(argv).timeout(TIMEOUT));
        } catch (HostException e) {
            throw new DockerException(Reason.COMPOSE_MISSING, "expected to run " + display() + " on host " + host.name()
                    + ", found: " + e.getMessage() + "; install compose", e, null);
        }
    }
}
