package dev.rollback.junit;

import static dev.rollback.junit.RollbackAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.spi.Check;
import dev.rollback.RestorePoint;
import dev.rollback.RollbackPlan;
import dev.rollback.Trigger;
import dev.rollback.WatchReport;
import dev.rollback.Watchdog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WatchReportAssertTest {

    @TempDir
    Path dir;

    Shop shop;

    @BeforeEach
    void setUp() throws Exception {
        shop = new Shop(dir);
    }

    /** Watches a deploy of {@code html} for 5 minutes, probing that the page has no error every 30 s. */
    WatchReport watch(String html) throws Exception {
        RollbackPlan plan = shop.plan().build();
        RestorePoint before = plan.capture("v1.0.0");
        shop.deploy(html);
        return Watchdog.of(plan, before)
                .probe(Check.of("page has no error", () -> !Files.readString(shop.page).contains("error")))
                .every(Duration.ofSeconds(30))
                .rollBackWhen(Trigger.consecutiveFailures(3))
                .watchFor(Duration.ofMinutes(5))
                .run();
    }

    @Test
    void shouldPassWhenTheWatchdogRolledBackAndDetectedInTime() throws Exception {
        WatchReport report = watch("<h1>Shop v2.0.0: error 500</h1>\n");

        assertThat(report).rolledBack().detectedWithin(Duration.ofMinutes(1));
        assertThatThrownBy(() -> assertThat(report).detectedWithin(Duration.ofSeconds(30)))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("to detect a failure within 30 s, but it took 1 min (3 consecutive failures")
                .hasMessageContaining("# Watch report: shop");
    }

    @Test
    void shouldFailWhenTheWatchEndedHealthyWithoutATrigger() throws Exception {
        WatchReport report = watch("<h1>Shop v2.0.0</h1>\n");

        assertThatThrownBy(() -> assertThat(report).rolledBack())
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("Expected watch " + report.watchId() + " of plan 'shop' to roll back, but it "
                        + "ended HEALTHY")
                .hasMessageContaining("- **Outcome:** HEALTHY");
        assertThatThrownBy(() -> assertThat(report).detectedWithin(Duration.ofMinutes(1)))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("but no trigger fired; it ended HEALTHY");
    }
}
