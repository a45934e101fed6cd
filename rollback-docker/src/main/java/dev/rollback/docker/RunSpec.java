package dev.rollback.docker;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rollback.docker.DockerException.Reason;
import dev.rollback.host.Command;
import dev.rollback.host.CommandResult;
import dev.rollback.host.Host;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How to create a container again from its {@code docker inspect} document: the {@code docker run}
 * arguments (without environment values) and the environment, which goes through an owner-only env
 * file so that no value appears in an argv or a message.
 *
 * @param container the container's name
 * @param options the options of {@code docker run} before the image
 * @param entrypoint the entrypoint's program, or null to keep the image's
 * @param args what follows the image: the rest of the entrypoint, then the command
 * @param env the environment, {@code KEY=VALUE} lines
 */
record RunSpec(String container, List<String> options, String entrypoint, List<String> args, List<String> env) {

    /** Copies the lists. */
    public RunSpec {
        options = List.copyOf(options);
        args = List.copyOf(args);
        env = List.copyOf(env);
    }

    /**
     * A {@code --mount} made with {@code --mount} (recorded apart from {@code -v} binds): a named
     * volume, a bind or a tmpfs, so the recreated container is attached to the same data.
     */
    private static String mount(JsonNode m, String container) {
        String type = m.path("Type").asText("");
        String source = m.path("Source").asText("");
        String target = m.path("Target").asText("");
        for (String part : List.of(type, source, target)) {
            if (part.indexOf(',') >= 0 || part.indexOf('=') >= 0 || part.indexOf('"') >= 0) {
                throw new DockerException(Reason.COMMAND_FAILED, "container target for '" + container + "': expected "
                        + "mount fields without ',', '=' or '\"', found '" + part + "'; recreate the container by hand",
                        null, container);
            }
        }
        if (!List.of("volume", "bind", "tmpfs").contains(type) || target.isEmpty()) {
            throw new DockerException(Reason.COMMAND_FAILED, "container target for '" + container + "': expected "
                    + "volume, bind or tmpfs mounts, found a " + (type.isEmpty() ? "mount without a type" : type + " mount")
                    + " at " + target + "; recreate the container by hand", null, container);
        }
        return "type=" + type + (source.isEmpty() ? "" : ",source=" + source) + ",target=" + target
                + (m.path("ReadOnly").asBoolean(false) ? ",readonly" : "");
    }

    /** The spec of an inspected container. */
    public static RunSpec of(JsonNode inspected, String container) {
        JsonNode config = inspected.path("Config");
        JsonNode hc = inspected.path("HostConfig");
        List<String> options = new ArrayList<>();
        String network = hc.path("NetworkMode").asText("");
        if (!network.isEmpty() && !network.equals("default")) {
            options.add("--network");
            options.add(network);
        }
        if (hc.path("Init").asBoolean(false)) {
            options.add("--init");
        }
        String restart = hc.path("RestartPolicy").path("Name").asText("");
        if (!restart.isEmpty() && !restart.equals("no")) {
            int max = hc.path("RestartPolicy").path("MaximumRetryCount").asInt(0);
            options.add("--restart");
            options.add(restart + (restart.equals("on-failure") && max > 0 ? ":" + max : ""));
        }
        text(config, "User").ifNotEmpty(u -> add(options, "--user", u));
        text(config, "WorkingDir").ifNotEmpty(w -> add(options, "--workdir", w));
        for (JsonNode bind : iterable(hc.path("Binds"))) {
            add(options, "--volume", bind.asText());
        }
        for (JsonNode m : iterable(hc.path("Mounts"))) {
            add(options, "--mount", mount(m, container));
        }
        if (!network.equals("host")) {
            for (Map.Entry<String, JsonNode> p : hc.path("PortBindings").properties()) {
                for (JsonNode b : iterable(p.getValue())) {
                    String ip = b.path("HostIp").asText("");
                    String hostPort = b.path("HostPort").asText("");
                    add(options, "--publish", (ip.isEmpty() ? "" : ip + ":") + hostPort + ":" + p.getKey());
                }
            }
        }
        health(config.path("Healthcheck"), options);
        for (Map.Entry<String, JsonNode> l : config.path("Labels").properties()) {
            add(options, "--label", l.getKey() + "=" + l.getValue().asText());
        }
        String entrypoint = null;
        List<String> args = new ArrayList<>();
        JsonNode ep = config.path("Entrypoint");
        if (ep.isArray() && ep.size() > 0) {
            entrypoint = ep.get(0).asText();
            for (int i = 1; i < ep.size(); i++) {
                args.add(ep.get(i).asText());
            }
        }
        for (JsonNode c : iterable(config.path("Cmd"))) {
            args.add(c.asText());
        }
        List<String> env = new ArrayList<>();
        for (JsonNode e : iterable(config.path("Env"))) {
            env.add(e.asText());
        }
        return new RunSpec(container, options, entrypoint, args, env);
    }

    /** What the container is created from: the captured tag when it has one, else the image id. */
    public String reference(Images image) {
        return image.hasName() ? image.tag() : image.id();
    }

    /** The configuration in words, environment values left out. */
    public String describe() {
        List<String> parts = new ArrayList<>(options);
        if (entrypoint != null) {
            parts.add("--entrypoint " + entrypoint);
        }
        parts.add("command " + args);
        parts.add(env.size() + " environment variable(s) (" + String.join(", ", env.stream().map(e -> e.split("=", 2)[0])
                .toList()) + ")");
        return String.join(" ", parts);
    }

    /**
     * Removes the container (if it exists) and creates it again, started, from {@code image}.
     *
     * @throws DockerException if the engine refuses; an environment value holding a line break is
     *     refused before anything changes
     */
    public void recreate(Docker docker, Images image) {
        for (String e : env) {
            if (e.indexOf('\n') >= 0 || e.indexOf('\r') >= 0) {
                throw new DockerException(Reason.COMMAND_FAILED, "container target for '" + container + "': expected "
                        + "environment values on one line, found a line break in " + e.split("=", 2)[0] + "; docker "
                        + "cannot pass it through an env file: recreate the container by hand", null, container);
            }
        }
        Host host = docker.host();
        remove(docker, container);
        Path envFile = null;
        try {
            List<String> argv = new ArrayList<>(List.of("run", "--detach", "--name", container));
            if (!env.isEmpty()) {
                String made = host.run(Command.of("mktemp")).requireSuccess().stdout().strip();
                envFile = Path.of(made);
                host.setMode(envFile, 0600);
                host.write(envFile, (String.join("\n", env) + "\n").getBytes(StandardCharsets.UTF_8), 0600);
                argv.add("--env-file");
                argv.add(envFile.toString());
            }
            argv.addAll(options);
            if (entrypoint != null) {
                argv.add("--entrypoint");
                argv.add(entrypoint);
            }
            argv.add(reference(image));
            argv.addAll(args);
            docker.run("create and start the container " + container, argv);
        } finally {
            if (envFile != null) {
                host.delete(envFile);
            }
        }
    }

    /** The health check as options: a shell command (CMD-SHELL) or an argv joined for the shell (CMD). */
    private static void health(JsonNode hc, List<String> options) {
        JsonNode test = hc.path("Test");
        if (!test.isArray() || test.size() == 0) {
            return;
        }
        String kind = test.get(0).asText();
        if (kind.equals("NONE")) {
            options.add("--no-healthcheck");
            return;
        }
        List<String> rest = new ArrayList<>();
        for (int i = 1; i < test.size(); i++) {
            rest.add(test.get(i).asText());
        }
        if (rest.isEmpty()) {
            return;
        }
        add(options, "--health-cmd", kind.equals("CMD-SHELL") ? rest.get(0) : Command.of(rest).display());
        for (String[] f : new String[][] {{"Interval", "--health-interval"}, {"Timeout", "--health-timeout"},
                {"StartPeriod", "--health-start-period"}}) {
            long ns = hc.path(f[0]).asLong(0);
            if (ns > 0) {
                add(options, f[1], ns / 1_000_000 + "ms");
            }
        }
        int retries = hc.path("Retries").asInt(0);
        if (retries > 0) {
            add(options, "--health-retries", Integer.toString(retries));
        }
    }

    /** Removes a container, stopping it first; absent is fine. */
    public static void remove(Docker docker, String container) {
        CommandResult removed = docker.tryRun(List.of("container", "rm", "--force", container), Map.of());
        if (!removed.succeeded()) {
            DockerException e = docker.failure("remove the container " + container, removed);
            if (e.reason() != Reason.CONTAINER_MISSING) {
                throw e;
            }
        }
    }

    private static void add(List<String> options, String flag, String value) {
        options.add(flag);
        options.add(value);
    }

    private static Iterable<JsonNode> iterable(JsonNode node) {
        return node.isArray() ? node::elements : List.<JsonNode>of();
    }

    private static Text text(JsonNode node, String field) {
        return new Text(node.path(field).asText(""));
    }

    private record Text(String value) {
        void ifNotEmpty(java.util.function.Consumer<String> action) {
            if (!value.isEmpty()) {
                action.accept(value);
            }
        }
    }
}
