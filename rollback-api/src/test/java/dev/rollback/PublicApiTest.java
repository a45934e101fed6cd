package dev.rollback;

import dev.rollback.testing.ApiCheck;
import org.junit.jupiter.api.Test;

/** This module's public signatures mention none of its internal types (see {@link ApiCheck} for why a check). */
class PublicApiTest {

    @Test
    void shouldMentionNoInternalTypeInItsPublicApi() {
        ApiCheck.ofModuleOf(Rollback.class).assertNoInternalTypes();
    }
}
