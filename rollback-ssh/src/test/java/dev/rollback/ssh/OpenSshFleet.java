package dev.rollback.ssh;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Several OpenSSH servers on 127.0.0.1 for the fleet tests, started and connected as root in parallel; closing
 * it closes the connections, then stops the servers. Each is an {@link OpenSshServer} with its defaults (an
 * empty {@code HOME} for the sessions, a new port if another process took the probed one).
 */
final class OpenSshFleet implements AutoCloseable {

    private final List<OpenSshServer> servers = new ArrayList<>();
    private final List<SshHost> hosts = new ArrayList<>();

    private OpenSshFleet() {}

    /** Starts {@code n} servers and connects to each as root; on a failure, stops what it started. */
    static OpenSshFleet start(int n) throws Exception {
        OpenSshServer.require();
        long t0 = System.nanoTime();
        OpenSshFleet fleet = new OpenSshFleet();
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<OpenSshServer>> started = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                started.add(pool.submit(() -> OpenSshServer.start()));
            }
            for (Future<OpenSshServer> f : started) {
                fleet.servers.add(f.get());
            }
            List<Future<SshHost>> connected = new ArrayList<>();
            for (OpenSshServer s : fleet.servers) {
                connected.add(pool.submit(() -> s.host("root").connect()));
            }
            for (Future<SshHost> f : connected) {
                fleet.hosts.add(f.get());
            }
        } catch (ExecutionException | InterruptedException e) {
            fleet.close();
            throw e;
        } finally {
            pool.shutdownNow();
        }
        System.out.printf("%d OpenSSH servers started and connected in parallel in %d ms%n", n,
                (System.nanoTime() - t0) / 1_000_000);
        return fleet;
    }

    /** The connections, one per server, in the servers' order. */
    List<SshHost> hosts() {
        return hosts;
    }

    /** The servers, in start order. */
    List<OpenSshServer> servers() {
        return servers;
    }

    @Override
    public void close() throws IOException {
        for (SshHost h : hosts) {
            h.close();
        }
        IOException first = null;
        for (OpenSshServer s : servers) {
            try {
                s.close();
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        hosts.clear();
        servers.clear();
        if (first != null) {
            throw first;
        }
    }
}
