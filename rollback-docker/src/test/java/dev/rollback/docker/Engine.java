package dev.rollback.docker;

import dev.rollback.host.Command;
import dev.rollback.host.CommandResult;
import dev.rollback.host.Host;
import dev.rollback.host.Hosts;
import dev.rollback.testing.Requirements;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/**
 * The machine's real Docker engine for one test: builds images from busybox (no registry, never a
 * pull), runs containers on the host network listening on 127.0.0.1 only, and removes every
 * container and image it made when closed.
 */
final class Engine implements AutoCloseable {

    static final Path BUSYBOX = Path.of("/usr/bin/busybox");

    private final Host host = Hosts.local();
    private final Path dir;
    private final String prefix;
    private final List<String> containers = new ArrayList<>();
    private final List<String> images = new ArrayList<>();
    private final List<String> projects = new ArrayList<>();

    private Engine(Path dir) {
        this.dir = dir;
        this.prefix = "rbt" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** The engine, or a skip (laptop) / failure (CI) when there is none. */
    static Engine require(Path dir) {
        Requirements.require(Requirements.onPath("docker"), "the docker program (Debian: docker.io)");
        Requirements.require(Hosts.local().run(Command.of("docker", "version")).succeeded(),
                "a running Docker engine (.ci/setup-docker.sh starts one)");
        Requirements.require(Files.isExecutable(BUSYBOX), "busybox at " + BUSYBOX + " (Debian: busybox-static)");
        return new Engine(dir);
    }

    /** A name unique to this test: {@code <prefix>-<what>}. */
    String name(String what) {
        return prefix + "-" + what;
    }

    /**
     * Builds an image tagged {@code reference} whose busybox httpd serves {@code page} on
     * 127.0.0.1:{@code port}; returns its id.
     */
    String image(String reference, String page, int port) {
        Path root = dir.resolve("image-" + UUID.randomUUID());
        try {
            Files.createDirectories(root.resolve("bin"));
            Files.createDirectories(root.resolve("www"));
            Files.copy(BUSYBOX, root.resolve("bin/busybox"));
            Files.createSymbolicLink(root.resolve("bin/sh"), Path.of("busybox"));
            Files.writeString(root.resolve("www/index.html"), page + "\n");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        Path tar = root.resolveSibling(root.getFileName() + ".tar");
        ok("tar", "-cf", tar.toString(), "-C", root.toString(), ".");
        String cmd = "CMD [\"/bin/busybox\", \"httpd\", \"-f\", \"-p\", \"127.0.0.1:" + port + "\", \"-h\", \"/www\"]";
        String id = ok("docker", "import", "--change", cmd, tar.toString(), reference).stdout().strip();
        images.add(id);
        return id;
    }

    /** Starts a container on the host network, with {@code --init}. */
    void run(String container, String reference, String... options) {
        List<String> argv = new ArrayList<>(List.of("docker", "run", "--detach", "--init", "--network", "host",
                "--name", container));
        argv.addAll(Arrays.asList(options));
        argv.add(reference);
        containers.add(container);
        ok(argv.toArray(String[]::new));
    }

    /** Remembers a compose project to take down when closing. */
    void project(String name) {
        projects.add(name);
    }

    /** Remembers an image id to remove when closing. */
    void remember(String imageId) {
        images.add(imageId);
    }

    /** The id of the image a container runs. */
    String imageOf(String container) {
        return ok("docker", "container", "inspect", "--format", "{{.Image}}", container).stdout().strip();
    }

    /** The id a reference points to, or null. */
    String idOf(String reference) {
        CommandResult r = host.run(Command.of("docker", "image", "inspect", "--format", "{{.Id}}", reference));
        return r.succeeded() ? r.stdout().strip() : null;
    }

    /** Every {@code repo:tag} of an image. */
    List<String> tagsOf(String imageId) {
        String out = ok("docker", "image", "inspect", "--format", "{{range .RepoTags}}{{println .}}{{end}}", imageId)
                .stdout();
        return out.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
    }

    CommandResult ok(String... argv) {
        return host.run(Command.of(argv)).requireSuccess();
    }

    /** The page served on 127.0.0.1:port, or the error. */
    static String page(int port) {
        try {
            HttpClient client = HttpClient.newHttpClient();
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                    .build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return r.body().strip();
        } catch (IOException e) {
            return "unreachable: " + e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /** A free TCP port on 127.0.0.1. */
    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        List<String> failures = new ArrayList<>();
        for (String p : projects) {
            CommandResult r = host.run(Command.of("docker", "ps", "-aq", "--filter", "label=com.docker.compose.project=" + p));
            for (String id : r.stdout().lines().map(String::strip).filter(l -> !l.isEmpty()).toList()) {
                containers.add(id);
            }
        }
        for (String c : containers) {
            CommandResult r = host.run(Command.of("docker", "rm", "--force", c));
            if (!r.succeeded() && !r.stderr().contains("No such container")) {
                failures.add(r.describe());
            }
        }
        for (String i : images) {
            CommandResult r = host.run(Command.of("docker", "image", "rm", "--force", i));
            if (!r.succeeded() && !r.stderr().contains("No such image")) {
                failures.add(r.describe());
            }
        }
        if (!failures.isEmpty()) {
            throw new IllegalStateException("test clean-up failed: " + failures);
        }
    }
}
