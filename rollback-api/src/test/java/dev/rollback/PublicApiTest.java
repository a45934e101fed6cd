package dev.rollback;

import dev.rollback.testing.ApiCheck;
import dev.rollback.testing.PackageCycles;
import org.junit.jupiter.api.Test;

/** This module's public signatures mention none of its internal types (see {@link ApiCheck} for why a check). */
class PublicApiTest {

    @Test
    void shouldMentionNoInternalTypeInItsPublicApi() {
        ApiCheck.ofModuleOf(Rollback.class).assertNoInternalTypes();
    }

    /**
     * No two packages use each other but the one pair that must: the plan's facade calls its engine, which uses the
     * facade package's model (points, reports, events, policies). Breaking it would take either a service lookup at
     * run time or the model out of the package users start from.
     */
    @Test
    void shouldHaveNoPackageCyclesButTheFacadeAndItsEngine() {
        PackageCycles.ofModuleOf(Rollback.class).allowing("dev.rollback", "dev.rollback.internal.engine").assertNone();
    }
}
