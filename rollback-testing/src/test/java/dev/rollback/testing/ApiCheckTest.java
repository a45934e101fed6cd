package dev.rollback.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.testing.fixture.Clean;
import org.junit.jupiter.api.Test;

class ApiCheckTest {

    private static final String F = "dev.rollback.testing.fixture.";
    private static final String HIDDEN = F + "internal.Hidden";

    @Test
    void shouldReportEverySignatureThatLetsAnInternalTypeOut() {
        assertThat(ApiCheck.ofModuleOf(Clean.class).leaks()).containsExactlyInAnyOrder(
                "class " + F + "Leaky: extends " + HIDDEN,
                "class " + F + "Leaky: implements " + F + "internal.HiddenApi",
                "field " + F + "Leaky.field: of type " + HIDDEN,
                "field " + F + "Leaky.protectedField: of type " + HIDDEN,
                "constructor " + F + "Leaky(Hidden): takes " + HIDDEN,
                "method " + F + "Leaky.wildcard(): returns " + HIDDEN,
                "method " + F + "Leaky.array(): returns " + HIDDEN,
                "method " + F + "Leaky.bounded(Hidden): type parameter T bounded by " + HIDDEN,
                "method " + F + "Leaky.bounded(Hidden): takes " + HIDDEN,
                "method " + F + "Leaky.throwing(): throws " + F + "internal.HiddenException",
                "method " + F + "Leaky.protectedTakes(Map): takes " + HIDDEN,
                "method " + F + "Leaky.compareTo(HiddenApi): takes " + F + "internal.HiddenApi",
                "method " + F + "Leaky$Nested.nested(): returns " + HIDDEN,
                "method " + F + "Heir.inherited(): returns " + HIDDEN,
                "constructor " + F + "Pair(Hidden, String): takes " + HIDDEN,
                "method " + F + "Pair.hidden(): returns " + HIDDEN);
    }

    @Test
    void shouldFailWithEveryOffendingSignatureInItsMessage() {
        assertThatThrownBy(() -> ApiCheck.ofModuleOf(Clean.class).assertNoInternalTypes())
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("mentions internal types in 16 signatures")
                .hasMessageContaining("method " + F + "Leaky.wildcard(): returns " + HIDDEN)
                .hasMessageContaining("method " + F + "Heir.inherited(): returns " + HIDDEN);
    }

    @Test
    void shouldPassAModuleWhoseApiIsClean() {
        assertThat(ApiCheck.ofModuleOf(TestClock.class).leaks()).isEmpty();
    }

    @Test
    void shouldRefuseAClassFromNoFolderOrJar() {
        assertThatThrownBy(() -> ApiCheck.ofModuleOf(String.class)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("java.lang.String").hasMessageContaining("give a class of the module's own code");
    }
}
