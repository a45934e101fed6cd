package dev.rollback.testing;

import org.junit.jupiter.api.Test;

/** This module's public signatures mention none of its internal types (see {@link ApiCheck} for why a check). */
class PublicApiTest {

    @Test
    void shouldMentionNoInternalTypeInItsPublicApi() {
        ApiCheck.ofModuleOf(TestClock.class).assertNoInternalTypes();
    }

    @Test
    void shouldHaveNoPackageCycles() {
        PackageCycles.ofModuleOf(TestClock.class).assertNone();
    }
}
