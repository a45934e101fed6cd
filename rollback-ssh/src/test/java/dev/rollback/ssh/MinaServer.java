package dev.rollback.ssh;

import java.io.IOException;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.List;
import org.apache.sshd.common.file.nativefs.NativeFileSystemFactory;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;
import org.apache.sshd.server.shell.ProcessShellCommandFactory;
import org.apache.sshd.sftp.server.SftpSubsystemFactory;

/**
 * An Apache MINA SSHD server in the test JVM on 127.0.0.1: real SSH protocol, real processes (run
 * by {@code /bin/sh -c}, as OpenSSH does), and SFTP on this machine's file system. It accepts one
 * user key and one password, and can be stopped and started again on the same port with the same
 * host key.
 */
final class MinaServer implements AutoCloseable {

    static final String PASSWORD = "correct horse battery staple";

    private final Path hostKeyFile;
    private final PublicKey userKey;
    private SshServer server;
    private int port;

    MinaServer(Path work, PublicKey userKey) {
        this.hostKeyFile = work.resolve("mina-host-key");
        this.userKey = userKey;
    }

    MinaServer start() throws IOException {
        return start(0);
    }

    private MinaServer start(int onPort) throws IOException {
        SshServer s = SshServer.setUpDefaultServer();
        s.setHost("127.0.0.1");
        s.setPort(onPort);
        SimpleGeneratorHostKeyProvider keys = new SimpleGeneratorHostKeyProvider(hostKeyFile);
        keys.setAlgorithm("EC");
        s.setKeyPairProvider(keys);
        s.setPublickeyAuthenticator((user, key, session) -> key.equals(userKey));
        s.setPasswordAuthenticator((user, password, session) -> PASSWORD.equals(password));
        s.setCommandFactory(ProcessShellCommandFactory.INSTANCE);
        s.setSubsystemFactories(List.of(new SftpSubsystemFactory()));
        s.setFileSystemFactory(new NativeFileSystemFactory());
        s.start();
        this.server = s;
        this.port = s.getPort();
        return this;
    }

    /** Starts a stopped server again, on the port it had. */
    MinaServer restart() throws IOException {
        return start(port);
    }

    int port() {
        return port;
    }

    /** The server's host key. */
    PublicKey hostKey() {
        try {
            for (KeyPair p : server.getKeyPairProvider().loadKeys(null)) {
                return p.getPublic();
            }
        } catch (IOException | java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        throw new IllegalStateException("no host key");
    }

    /** Stops the server at once, closing every connection. */
    void stop() throws IOException {
        if (server != null) {
            server.stop(true);
            server = null;
        }
    }

    @Override
    public void close() throws IOException {
        stop();
    }
}
