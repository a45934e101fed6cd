package dev.rollback.ssh;

import dev.rollback.host.Host;
import dev.rollback.testing.HostContract;
import java.nio.file.Path;
import java.security.KeyPair;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The host contract over SSH, against an Apache MINA SSHD server in this JVM: one connection for every test. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MinaHostContractTest extends HostContract {

    @TempDir
    Path work;

    @TempDir
    Path dir;

    private MinaServer server;
    private SshHost.Builder builder;
    private SshHost host;

    @BeforeAll
    void start(@TempDir Path serverDir) throws Exception {
        KeyPair user = TestKeys.rsa();
        server = new MinaServer(serverDir, user.getPublic()).start();
        builder = SshHost.builder("127.0.0.1").port(server.port()).user("root")
                .privateKey(TestKeys.write(user, serverDir.resolve("id_test")))
                .knownHosts(TestKeys.knownHosts(serverDir.resolve("known_hosts"), server.port(), server.hostKey()));
        host = builder.connect();
    }

    @AfterAll
    void stop() throws Exception {
        host.close();
        server.close();
    }

    @Override
    protected Host host() {
        return host;
    }

    @Override
    protected Host openHost() {
        return builder.connect();
    }

    @Override
    protected Path dir() {
        return dir;
    }
}
