package dev.rollback.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class DurationsTest {

    @Test
    void shouldKeepEveryPartInTheReportForm() {
        assertThat(Durations.format(Duration.ZERO)).isEqualTo("0 ms");
        assertThat(Durations.format(Duration.ofNanos(450_000))).isEqualTo("0.45 ms");
        assertThat(Durations.format(Duration.ofMillis(850))).isEqualTo("850 ms");
        assertThat(Durations.format(Duration.ofSeconds(3))).isEqualTo("3.0 s");
        assertThat(Durations.format(Duration.ofMillis(12_400))).isEqualTo("12.4 s");
        assertThat(Durations.format(Duration.ofMinutes(1))).isEqualTo("1 min 0 s");
        assertThat(Durations.format(Duration.ofSeconds(185))).isEqualTo("3 min 5 s");
    }

    @Test
    void shouldLeaveOutZeroPartsInTheCompactForm() {
        assertThat(Durations.compact(Duration.ZERO)).isEqualTo("0 ms");
        assertThat(Durations.compact(Duration.ofNanos(450_000))).isEqualTo("0 ms");
        assertThat(Durations.compact(Duration.ofMillis(850))).isEqualTo("850 ms");
        assertThat(Durations.compact(Duration.ofSeconds(3))).isEqualTo("3 s");
        assertThat(Durations.compact(Duration.ofMillis(12_400))).isEqualTo("12.4 s");
        assertThat(Durations.compact(Duration.ofMinutes(1))).isEqualTo("1 min");
        assertThat(Durations.compact(Duration.ofSeconds(185))).isEqualTo("3 min 5 s");
    }

    @Test
    void shouldWriteAPointWhateverTheDefaultLocale() {
        Locale before = Locale.getDefault();
        try {
            Locale.setDefault(Locale.GERMANY);
            assertThat(Durations.format(Duration.ofMillis(12_400))).isEqualTo("12.4 s");
            assertThat(Durations.format(Duration.ofNanos(450_000))).isEqualTo("0.45 ms");
            assertThat(Durations.compact(Duration.ofMillis(1_500))).isEqualTo("1.5 s");
        } finally {
            Locale.setDefault(before);
        }
    }

    @Test
    void shouldRefuseANullDuration() {
        assertThatThrownBy(() -> Durations.format(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("duration");
        assertThatThrownBy(() -> Durations.compact(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("duration");
    }
}
