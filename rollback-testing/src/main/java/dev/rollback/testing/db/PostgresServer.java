package dev.rollback.testing.db;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * One real PostgreSQL 15 server for the whole test run, started on a free loopback port in a temp
 * folder from the embedded binaries on Maven Central (matching the 15.x client tools), stopped when
 * the run ends. The superuser {@code postgres} connects without a password; every other role must
 * give its password (SCRAM), so the tests prove credentials really reach the tools.
 *
 * <p>Published in rollback-testing (with its optional dependencies added to the test's own) so that any module tests database targets against the
 * same server. Thread-safe: the server is shared by every test of the run, each working in its own
 * database.
 *
 * <pre>{@code
 * @ExtendWith(PostgresServer.Extension.class)
 * class MyTest {
 *     @Test
 *     void shouldRestore(PostgresServer server) {
 *         server.role("blog", "pw");
 *         server.recreate("blog", "blog");
 *         PostgresDatabase db = PostgresDatabase.of("127.0.0.1", server.port(), "blog").user("blog").password("pw");
 *     }
 * }
 * }</pre>
 */
public final class PostgresServer implements AutoCloseable {

    private final EmbeddedPostgres pg;

    /** Gives a test constructor or method the run's server, started on first use. */
    public static final class Extension implements ParameterResolver {

        /** An extension JUnit makes through {@code @ExtendWith}. */
        public Extension() {}

        @Override
        public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
            return p.getParameter().getType() == PostgresServer.class;
        }

        @Override
        public Object resolveParameter(ParameterContext p, ExtensionContext e) {
            return get(e);
        }
    }

    private PostgresServer(EmbeddedPostgres pg) {
        this.pg = pg;
    }

    /** The run's server, started on first use and stopped when the run ends. */
    public static PostgresServer get(ExtensionContext context) {
        return context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                .computeIfAbsent(PostgresServer.class, k -> start(), PostgresServer.class);
    }

    private static PostgresServer start() {
        try {
            return new PostgresServer(EmbeddedPostgres.builder()
                    .setPGStartupWait(Duration.ofSeconds(30))
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    .setServerConfig("password_encryption", "scram-sha-256")
                    .setDataDirectoryCustomizer(dir -> {
                        try {
                            Files.writeString(dir.toPath().resolve("pg_hba.conf"), String.join("\n",
                                    "local all all trust",
                                    "host all postgres 127.0.0.1/32 trust",
                                    "host all all 127.0.0.1/32 scram-sha-256", ""));
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    })
                    .start());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the embedded PostgreSQL server", e);
        }
    }

    /** The port the server listens on, on 127.0.0.1. */
    public int port() {
        return pg.getPort();
    }

    /** The superuser's connection to {@code database}. */
    public Jdbi jdbi(String database) {
        return Jdbi.create("jdbc:postgresql://127.0.0.1:" + port() + "/" + database + "?user=postgres");
    }

    /** Creates an empty database owned by {@code owner}, dropping one of that name first. */
    public void recreate(String database, String owner) {
        jdbi("postgres").useHandle(h -> {
            h.execute("DROP DATABASE IF EXISTS \"" + database + "\" WITH (FORCE)");
            h.execute("CREATE DATABASE \"" + database + "\" OWNER \"" + owner + "\"");
        });
    }

    /** Creates (or resets the password of) a login role that may create databases but is no superuser. */
    public void role(String name, String password) {
        jdbi("postgres").useHandle(h -> {
            boolean exists = h.createQuery("SELECT count(*) FROM pg_roles WHERE rolname = :n").bind("n", name)
                    .mapTo(Integer.class).one() > 0;
            String pw = password.replace("'", "''");
            h.execute((exists ? "ALTER ROLE \"" : "CREATE ROLE \"") + name + "\" LOGIN CREATEDB NOSUPERUSER PASSWORD '" + pw + "'");
        });
    }

    /** Stops the server and removes its folder. */
    @Override
    public void close() throws IOException {
        pg.close();
    }
}
