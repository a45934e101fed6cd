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
 * A PostgreSQL store whose JDBC driver is missing is refused where it is made, naming the artifact to add: the module
 * is loaded in a class loader that has this JVM's class path without the driver's jar.
 */
class PostgresStoreDriverTest {

    @Test
    void shouldNameThePostgresArtifactWhenItsDriverIsMissing() throws Exception {
        List<URL> urls = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!Path.of(e).getFileName().toString().startsWith("postgresql-")) {
                urls.add(Path.of(e).toUri().toURL());
            }
        }
        Throwable refused = null;
        ClassLoader before = Thread.currentThread().getContextClassLoader();
        try (URLClassLoader loader = new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader())) {
            Thread.currentThread().setContextClassLoader(loader);
            assertThat(loader.getResource("org/postgresql/Driver.class")).as("the driver is left out").isNull();
            loader.loadClass("dev.rollback.db.PostgresStore")
                    .getMethod("of", String.class, String.class, String.class, String.class)
                    .invoke(null, "jdbc:postgresql://127.0.0.1:5432/ops", "rollback", "pw", "rollback");
        } catch (InvocationTargetException e) {
            refused = e.getCause();
        } finally {
            Thread.currentThread().setContextClassLoader(before);
        }

        assertThat(refused).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("PostgreSQL database: expected its JDBC driver (org.postgresql.Driver)")
                .hasMessageContaining("add the dependency org.postgresql:postgresql (tested with 42.");
    }
}
