package dev.rollback.junit;

import dev.rollback.Rollback;
import dev.rollback.RollbackPlanBuilder;
import dev.rollback.db.SqliteDatabase;
import dev.rollback.targets.ConfigFiles;
import dev.rollback.targets.DirectoryBackup;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A small shop on real targets in a folder: its pages (a directory), its config (a dotenv file), its orders (a
 * SQLite database), and an export kept by a target that holds its copies outside the store ({@link ClonedFile}).
 */
final class RealShop {

    final Path www;
    final Path page;
    final Path config;
    final Path db;
    final Path export;
    final Path clones;

    RealShop(Path dir, Path clones) throws IOException, SQLException {
        this.www = dir.resolve("www");
        this.page = www.resolve("index.html");
        this.config = dir.resolve("app.env");
        this.db = dir.resolve("shop.db").toAbsolutePath();
        this.export = dir.resolve("orders.csv");
        this.clones = clones;
        Files.createDirectories(www);
        Files.writeString(page, "<h1>Shop v1.0.0</h1>\n");
        Files.writeString(config, "MODE=production\n");
        Files.writeString(export, "1,apples\n2,pears\n");
        sql("CREATE TABLE orders (id INTEGER PRIMARY KEY, item TEXT NOT NULL)",
                "INSERT INTO orders VALUES (1, 'apples'), (2, 'pears')");
    }

    /** The pages and the export: a directory, and a target that keeps its copies outside the store. */
    RollbackPlanBuilder files() {
        return Rollback.plan("shop-files").target(DirectoryBackup.of(www).named("page"))
                .target(new ClonedFile("export", export, clones));
    }

    /** The config file. */
    RollbackPlanBuilder config() {
        return Rollback.plan("shop-config").target(ConfigFiles.of(config).named("config"));
    }

    /** The orders database; rows written after a point are given up by a rollback to it. */
    RollbackPlanBuilder sqlite() {
        return Rollback.plan("shop-sqlite").target(SqliteDatabase.of(db).named("orders")).acceptDataLoss();
    }

    void sql(String... statements) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.executeUpdate(sql);
            }
        }
    }

    String items() throws SQLException {
        StringBuilder out = new StringBuilder();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT id, item FROM orders ORDER BY id")) {
            while (rs.next()) {
                out.append(rs.getInt(1)).append(',').append(rs.getString(2)).append('\n');
            }
        }
        return out.toString();
    }
}
