package dev.rollback.db.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.db.internal.FlywayHistory.Row;
import java.util.List;
import org.junit.jupiter.api.Test;

class FlywayHistoryTest {

    @Test
    void shouldCompareVersionsPartByPartAsNumbersLikeFlyway() {
        assertThat(FlywayHistory.compareVersions("1.10", "1.9")).isPositive();
        assertThat(FlywayHistory.compareVersions("1.0", "1")).isZero();
        assertThat(FlywayHistory.compareVersions("2", "10")).isNegative();
        assertThat(FlywayHistory.compareVersions("", "1")).isNegative();
    }

    @Test
    void shouldTakeTheHighestAppliedVersionNotTheLastRow() {
        FlywayHistory h = FlywayHistory.of(List.of(
                new Row(1, "1", "<< Flyway Baseline >>", "BASELINE", true),
                new Row(2, "1.10", "ten", "SQL", true),
                new Row(3, "1.9", "nine, out of order", "SQL", true),
                new Row(4, null, "view", "SQL", true),
                new Row(5, "2", "broken", "SQL", false)));

        assertThat(h.rank()).isEqualTo(5);
        assertThat(h.version()).isEqualTo("1.10");
        assertThat(h.failed()).extracting(Row::rank).containsExactly(5);
        assertThat(h.describe()).isEqualTo("rank 5 (version 1.10) with failed migrations "
                + "[rank 5: version 2 'broken' (SQL, failed)]");
    }

    @Test
    void shouldTakeAVersionBackOutWhenAnUndoOrDeleteRowFollowsIt() {
        FlywayHistory h = FlywayHistory.of(List.of(
                new Row(1, "1", "one", "SQL", true),
                new Row(2, "2", "two", "SQL", true),
                new Row(3, "2", "undo two", "UNDO_SQL", true)));

        assertThat(h.version()).isEqualTo("1");
        assertThat(FlywayHistory.of(List.of()).describe()).isEqualTo("no migration (rank 0)");
    }
}
