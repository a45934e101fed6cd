package dev.rollback.db;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The JDBC drivers this module leaves to its users (as Jdbi does): a target is refused where it is made when its
 * driver is not on the class path, with the artifact to add, instead of failing at capture with {@code No suitable
 * driver found}. Stateless and thread-safe.
 */
final class Drivers {

    private static final Properties TESTED = load();

    private Drivers() {}

    /** SQLite's driver, {@code org.xerial:sqlite-jdbc}. */
    static void requireSqlite() {
        require("SQLite", "org.sqlite.JDBC", "sqlite");
    }

    /** PostgreSQL's driver, {@code org.postgresql:postgresql}. */
    static void requirePostgres() {
        require("PostgreSQL", "org.postgresql.Driver", "postgresql");
    }

    /** MariaDB's driver, {@code org.mariadb.jdbc:mariadb-java-client}. */
    static void requireMariaDb() {
        require("MariaDB", "org.mariadb.jdbc.Driver", "mariadb");
    }

    private static void require(String engine, String driverClass, String key) {
        if (present(driverClass, Drivers.class.getClassLoader())
                || present(driverClass, Thread.currentThread().getContextClassLoader())) {
            return;
        }
        String artifact = TESTED.getProperty(key);
        String coordinates = artifact.substring(0, artifact.lastIndexOf(':'));
        String version = artifact.substring(artifact.lastIndexOf(':') + 1);
        throw new IllegalStateException(engine + " database: expected its JDBC driver (" + driverClass
                + ") on the class path, found none; add the dependency " + coordinates + " (tested with " + version
                + ", Maven: <groupId>" + coordinates.replace(":", "</groupId><artifactId>") + "</artifactId>) to your"
                + " build");
    }

    private static boolean present(String type, ClassLoader loader) {
        try {
            Class.forName(type, false, loader);
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    private static Properties load() {
        Properties p = new Properties();
        try (InputStream in = Drivers.class.getResourceAsStream("drivers.properties")) {
            if (in == null) {
                throw new IllegalStateException("rollback-db: its resource drivers.properties is missing from the jar");
            }
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("rollback-db: cannot read its resource drivers.properties", e);
        }
        return p;
    }
}
