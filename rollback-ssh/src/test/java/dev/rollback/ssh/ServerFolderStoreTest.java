package dev.rollback.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static java.nio.charset.StandardCharsets.UTF_8;

import dev.rollback.store.RollbackInProgressException;
import dev.rollback.store.LockOwner;
import dev.rollback.store.StoreBackend;
import dev.rollback.store.StoreLock;
import dev.rollback.host.Command;
import dev.rollback.host.CommandResult;
import dev.rollback.host.FileStat;
import dev.rollback.testing.ForwardingHost;
import dev.rollback.testing.StoreBackendContract;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The folder store on a server, reached over SSH (OpenSSH's sshd on 127.0.0.1), passes the store contract: two
 * connections stand for two operators' machines. Its lock is a flock on the server held by the SSH session, so
 * it is freed when the holder's connection ends and can be broken from another machine.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ServerFolderStoreTest extends StoreBackendContract {

    @TempDir
    Path dir;

    private OpenSshServer server;
    private final List<SshHost> opened = new ArrayList<>();

    @BeforeAll
    void start() throws Exception {
        server = OpenSshServer.start();
    }

    @AfterEach
    void closeHosts() {
        opened.forEach(SshHost::close);
        opened.clear();
    }

    @AfterAll
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    private SshHost connect() {
        try {
            SshHost h = server.host("root").connect();
            opened.add(h);
            return h;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    protected StoreBackend store() {
        return StoreBackend.onHost(connect(), dir.resolve("store"));
    }

    @Override
    protected StoreBackend otherMachine() {
        return StoreBackend.onHost(connect(), dir.resolve("store"));
    }

    @Test
    void shouldNameTheServerAndKeepItsRecordsOwnerOnly() throws Exception {
        StoreBackend store = store();
        assertThat(store.describe()).startsWith("folder " + dir.resolve("store") + " on ").contains("127.0.0.1");
        store.write("points/p-1/manifest.json", new byte[] {1});
        Path file = dir.resolve("store/points/p-1/manifest.json");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("store/points"))))
                .isEqualTo("rwx------");
    }

    @Test
    void shouldReadEveryDocumentBelowAPrefixWithOneCommandOnTheServer() throws Exception {
        StoreBackend store = store();
        byte[] binary = new byte[3000];
        for (int i = 0; i < binary.length; i++) {
            binary[i] = (byte) (i * 31);
        }
        for (int i = 0; i < 40; i++) {
            store.write("points/p-" + i + "/manifest.json", ("{\"n\": " + i + "}\n").getBytes(UTF_8));
        }
        store.write("points/p-7/artifact.bin", binary);
        store.write("points/p-8/empty.json", new byte[0]);
        Files.writeString(dir.resolve("store/points/p-3/.manifest.json.tmp"), "half written"); // an atomic write
        try (StoreLock held = store.lock("app", LockOwner.me("rollback r-1"))) {
            List<String> calls = new ArrayList<>();
            SshHost ssh = connect();
            StoreBackend counted = StoreBackend.onHost(new ForwardingHost(ssh) {
                @Override
                public CommandResult run(Command command) {
                    calls.add("run " + command.argv().get(0));
                    return super.run(command);
                }

                @Override
                public byte[] read(Path path) {
                    calls.add("read " + path);
                    return super.read(path);
                }

                @Override
                public java.util.Optional<FileStat> stat(Path path) {
                    calls.add("stat " + path);
                    return super.stat(path);
                }
            }, dir.resolve("store"));

            var all = counted.readAll("points");
            assertThat(calls).containsExactly("run sh");
            assertThat(all).hasSize(42).containsOnlyKeys(store.list("points"));
            for (String key : all.keySet()) {
                assertThat(all.get(key)).as(key).isEqualTo(store.read(key).orElseThrow());
            }
            assertThat(all.get("points/p-7/artifact.bin")).isEqualTo(binary);
            assertThat(counted.readAll("").keySet()).containsExactlyElementsOf(store.list("")); // no lock files
            assertThat(counted.readAll("points/p-1")).containsOnlyKeys("points/p-1/manifest.json");
            assertThat(counted.readAll("nothing-here")).isEmpty();
        }
    }

    @Test
    void shouldFreeTheLockWhenTheHoldersConnectionEnds() throws Exception {
        SshHost holder = connect();
        StoreBackend there = otherMachine();
        StoreLock lock = StoreBackend.onHost(holder, dir.resolve("store")).lock("app", LockOwner.me("rollback r-1"));
        assertThatThrownBy(() -> there.lock("app", LockOwner.me("capture")))
                .isInstanceOf(RollbackInProgressException.class).hasMessageContaining("rollback r-1");

        holder.close(); // the holder's machine goes away without giving the lock back

        long start = System.nanoTime();
        while (there.holder("app").isPresent()) {
            assertThat(System.nanoTime() - start).as("lock freed within 10 s").isLessThan(10_000_000_000L);
            Thread.sleep(20);
        }
        assertThat(lock.isHeld()).isFalse();
        try (StoreLock next = there.lock("app", LockOwner.me("capture"))) {
            assertThat(next.isHeld()).isTrue();
        }
    }

    @Test
    void shouldBreakALockFromAnotherMachineAndEndItsHold() throws Exception {
        StoreBackend here = store();
        StoreBackend there = otherMachine();
        LockOwner holder = LockOwner.me("rollback r-7 to point p-3");
        StoreLock lock = here.lock("app", holder);

        assertThat(there.breakLock("app", LockOwner.me("break"), "the holder's laptop is gone"))
                .hasValueSatisfying(h -> assertThat(h.doing()).isEqualTo("rollback r-7 to point p-3"));

        long start = System.nanoTime();
        while (lock.isHeld()) {
            assertThat(System.nanoTime() - start).as("holder sees its lock lost within 10 s")
                    .isLessThan(10_000_000_000L);
            Thread.sleep(20);
        }
        try (StoreLock mine = there.lock("app", LockOwner.me("rollback r-8"))) {
            assertThat(here.holder("app")).hasValueSatisfying(h -> assertThat(h.doing()).isEqualTo("rollback r-8"));
        }
        lock.close();
    }
}
