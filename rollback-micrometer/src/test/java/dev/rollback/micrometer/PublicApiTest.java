package dev.rollback.micrometer;

import dev.rollback.testing.ApiCheck;
import dev.rollback.testing.PackageCycles;
import org.junit.jupiter.api.Test;

/** This module's public signatures mention none of its internal types (see {@link ApiCheck} for why a check). */
class PublicApiTest {

    @Test
    void shouldMentionNoInternalTypeInItsPublicApi() {
        ApiCheck.ofModuleOf(RollbackMetrics.class).assertNoInternalTypes();
    }

    @Test
    void shouldHaveNoPackageCycles() {
        PackageCycles.ofModuleOf(RollbackMetrics.class).assertNone();
    }
}
