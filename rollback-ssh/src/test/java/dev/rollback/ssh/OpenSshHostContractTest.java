package dev.rollback.ssh;

import dev.rollback.host.Host;
import dev.rollback.testing.HostContract;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The host contract over SSH against OpenSSH's sshd, as root (the test and the server share this
 * machine's files). Mandatory in CI, skipped on a machine without sshd.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenSshHostContractTest extends HostContract {

    @TempDir
    Path dir;

    private OpenSshServer server;
    private SshHost host;

    @BeforeAll
    void start() throws Exception {
        server = OpenSshServer.start();
        host = server.host("root").connect();
    }

    @AfterAll
    void stop() throws Exception {
        if (host != null) {
            host.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Override
    protected Host host() {
        return host;
    }

    @Override
    protected Host openHost() {
        try {
            return server.host("root").connect();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    protected Path dir() {
        return dir;
    }
}
