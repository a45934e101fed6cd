package dev.rollback.docker;

import dev.rollback.testing.ApiCheck;
import dev.rollback.testing.PackageCycles;
import org.junit.jupiter.api.Test;

/** This module's public signatures mention none of its internal types (see {@link ApiCheck} for why a check). */
class PublicApiTest {

    @Test
    void shouldMentionNoInternalTypeInItsPublicApi() {
        ApiCheck.ofModuleOf(DockerContainer.class).assertNoInternalTypes();
    }

    @Test
    void shouldHaveNoPackageCycles() {
        PackageCycles.ofModuleOf(DockerContainer.class).assertNone();
    }
}
