package dev.rollback.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.host.Hosts;
import dev.rollback.testing.StoreBackendContract;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The folder store on this machine passes the store contract; its lock is the OS file lock. */
class LocalFolderStoreTest extends StoreBackendContract {

    @TempDir
    Path dir;

    @Override
    protected StoreBackend store() {
        return StoreBackend.onHost(Hosts.local(), dir.resolve("store"));
    }

    @Override
    protected StoreBackend otherMachine() {
        return StoreBackend.onHost(Hosts.local(), dir.resolve("store"));
    }

    @Test
    void shouldKeepItsRecordsOwnerOnly() throws Exception {
        store().write("points/p-1/manifest.json", new byte[] {1});
        Path file = dir.resolve("store/points/p-1/manifest.json");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent()))).isEqualTo("rwx------");
    }

    @Test
    void shouldRefuseToBreakALockHeldByALiveProcessOnThisMachine() {
        StoreBackend store = store();
        try (StoreLock held = store.lock("app", LockOwner.me("rollback r-1 to point p-1"))) {
            assertThatThrownBy(() -> otherMachine().breakLock("app", LockOwner.me("break"), "stuck"))
                    .isInstanceOf(RollbackInProgressException.class).hasMessageContaining("alive on this machine")
                    .hasMessageContaining("stop that process");
            assertThat(held.isHeld()).isTrue();
        }
    }

    @Test
    void shouldRefuseARelativeFolder() {
        assertThatThrownBy(() -> StoreBackend.onHost(Hosts.local(), Path.of("rel/store")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("absolute");
    }
}
