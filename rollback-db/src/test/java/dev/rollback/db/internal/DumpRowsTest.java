package dev.rollback.db.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DumpRowsTest {

    @TempDir
    Path dir;

    static final String HEADER = "-- MySQL dump\n/*!40101 SET NAMES utf8mb4 */;\nDROP TABLE IF EXISTS `a``b`;\n"
            + "CREATE TABLE `a``b` (\n  `id` int(11) NOT NULL,\n  `v` text,\n  PRIMARY KEY (`id`)\n);\n"
            + "CREATE TABLE `empty` (\n  `id` int(11) NOT NULL\n);\n"
            + "LOCK TABLES `a``b` WRITE;\n";

    @Test
    void shouldCountRowsWrittenOnOneLineAsMySqlDoesWithStringsThatLookLikeRows() throws Exception {
        Path dump = dir.resolve("d.sql");
        Files.writeString(dump, HEADER + "INSERT INTO `a``b` (`v`, `id`) VALUES ('x\\'),(\\\\',7),(NULL,-3),"
                + "('it''s (', 12);\nINSERT INTO `a``b` (`v`, `id`) VALUES ('INSERT INTO `a``b`',2);\nUNLOCK TABLES;\n");

        Map<String, DumpRows.Table> rows = DumpRows.read(dump, t -> t.equals("a`b") ? "id" : null);

        assertThat(rows).containsExactly(Map.entry("a`b", new DumpRows.Table(4, 12L)),
                Map.entry("empty", new DumpRows.Table(0, null)));
    }

    @Test
    void shouldRefuseADumpThatEndsInsideARow() throws Exception {
        Path dump = dir.resolve("d.sql");
        Files.writeString(dump, HEADER + "INSERT INTO `a``b` (`id`, `v`) VALUES (1,'a'),\n(2,'b");

        assertThatThrownBy(() -> DumpRows.read(dump, t -> "id")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("d.sql: expected the end of a string")
                .hasMessageContaining("found the end of the file")
                .hasMessageContaining("capture again");
    }
}
