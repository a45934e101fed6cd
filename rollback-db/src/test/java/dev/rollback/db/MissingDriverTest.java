package dev.rollback.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A target whose JDBC driver is missing is refused where it is made, naming the artifact to add. The test loads the
 * module in a class loader that has this JVM's class path without the driver's jar.
 */
class MissingDriverTest {

    @Test
    void shouldNameTheSqliteArtifactWhenItsDriverIsMissing() throws Exception {
        Throwable refused = makeWithout("sqlite-jdbc", "dev.rollback.db.SqliteDatabase", "at",
                new Class<?>[] {Path.class}, Path.of("/srv/shop/shop.db"));

        assertThat(refused).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("SQLite database: expected its JDBC driver (org.sqlite.JDBC)")
                .hasMessageContaining("add the dependency org.xerial:sqlite-jdbc (tested with 3.");
    }

    @Test
    void shouldNameThePostgresArtifactWhenItsDriverIsMissing() throws Exception {
        Throwable refused = makeWithout("postgresql-", "dev.rollback.db.PostgresDatabase", "at",
                new Class<?>[] {String.class, int.class, String.class}, "127.0.0.1", 5432, "blog");

        assertThat(refused).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("add the dependency org.postgresql:postgresql (tested with 42.");
    }

    @Test
    void shouldNameTheMariaDbArtifactWhenItsDriverIsMissing() throws Exception {
        Throwable refused = makeWithout("mariadb-java-client", "dev.rollback.db.MariaDbDatabase", "at",
                new Class<?>[] {String.class, int.class, String.class}, "127.0.0.1", 3306, "bank");

        assertThat(refused).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("add the dependency org.mariadb.jdbc:mariadb-java-client (tested with 3.");
    }

    @Test
    void shouldMakeTheTargetWhenTheDriverIsThere() {
        assertThat(SqliteDatabase.of(Path.of("/srv/shop/shop.db")).name()).isEqualTo("database");
    }

    /** Calls {@code type.method(args)} in a class loader without the jar whose name contains {@code jar}. */
    private static Throwable makeWithout(String jar, String type, String method, Class<?>[] params, Object... args)
            throws Exception {
        List<URL> urls = new ArrayList<>();
        boolean dropped = false;
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (Path.of(e).getFileName().toString().contains(jar)) {
                dropped = true;
                continue;
            }
            urls.add(Path.of(e).toUri().toURL());
        }
        assertThat(dropped).as("the driver's jar (" + jar + ") is on the test class path").isTrue();
        ClassLoader before = Thread.currentThread().getContextClassLoader();
        try (URLClassLoader loader = new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader())) {
            Thread.currentThread().setContextClassLoader(loader);
            Class<?> t = loader.loadClass(type);
            try {
                t.getMethod(method, params).invoke(null, args);
                return null;
            } catch (InvocationTargetException e) {
                return e.getCause();
            }
        } finally {
            Thread.currentThread().setContextClassLoader(before);
        }
    }
}
