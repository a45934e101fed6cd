package dev.rollback.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.store.RollbackInProgressException;
import dev.rollback.store.LockOwner;
import dev.rollback.store.StoreBackend;
import dev.rollback.store.StoreLock;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What every {@link StoreBackend} must do, as tests: keep documents byte for byte under checked keys, replace them
 * atomically, list and delete them, and share them and one lock per plan with a second instance standing for
 * another machine. Every store of the library passes it; subclass it to test a store of your own.
 *
 * <pre>{@code
 * class MyStoreTest extends StoreBackendContract {
 *     protected StoreBackend store() { return MyStore.open(url, "test-" + id); }
 *     protected StoreBackend otherMachine() { return MyStore.open(url, "test-" + id); }
 * }
 * }</pre>
 *
 * <p>Each test calls {@link #store()} and {@link #otherMachine()} once; both must reach the same empty records,
 * through different connections where the store has connections.
 */
public abstract class StoreBackendContract {

    /** The store under test, over records that are empty at the start of the test. */
    protected abstract StoreBackend store();

    /** A second instance over the same records, as another machine would open them (its own connection). */
    protected abstract StoreBackend otherMachine();

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void shouldKeepEveryByteOfADocumentAndSayWhenThereIsNone() {
        StoreBackend store = store();
        byte[] all = new byte[256 * 4];
        for (int i = 0; i < all.length; i++) {
            all[i] = (byte) i;
        }
        assertThat(store.read("points/p-1/manifest.json")).isEmpty();

        store.write("points/p-1/manifest.json", all);

        assertThat(store.read("points/p-1/manifest.json")).hasValueSatisfying(b -> assertThat(b).isEqualTo(all));
        store.write("empty", new byte[0]);
        assertThat(store.read("empty")).hasValueSatisfying(b -> assertThat(b).isEmpty());
    }

    @Test
    void shouldReplaceADocumentWhole() {
        StoreBackend store = store();
        store.write("journals/app.json", utf8("{\"step\":1, \"long\":\"" + "x".repeat(100_000) + "\"}"));

        store.write("journals/app.json", utf8("{\"step\":2}"));

        assertThat(store.read("journals/app.json")).hasValueSatisfying(b ->
                assertThat(new String(b, StandardCharsets.UTF_8)).isEqualTo("{\"step\":2}"));
    }

    /** Documents at several depths, beside a key that shares the prefix's letters ({@code points2}). */
    private static void writeNestedDocuments(StoreBackend store) {
        store.write("points/p-2/manifest.json", utf8("2"));
        store.write("points/p-1/manifest.json", utf8("1\u00e9\n"));
        store.write("points/p-1/notes/bad.json", utf8("b"));
        store.write("points2/other.json", utf8("o"));
        store.write("history/app/0001.json", utf8("h"));
    }

    @Test
    void shouldListTheKeysBelowAPrefixSortedAtAnyDepth() {
        StoreBackend store = store();
        writeNestedDocuments(store);

        assertThat(store.list("points")).containsExactly("points/p-1/manifest.json", "points/p-1/notes/bad.json",
                "points/p-2/manifest.json");
        assertThat(store.list("points/p-1/notes")).containsExactly("points/p-1/notes/bad.json");
        assertThat(store.list("nothing-here")).isEmpty();
        assertThat(store.list("")).containsExactly("history/app/0001.json", "points/p-1/manifest.json",
                "points/p-1/notes/bad.json", "points/p-2/manifest.json", "points2/other.json");
    }

    @Test
    void shouldReadEveryDocumentBelowAPrefixAsListAndReadWould() {
        StoreBackend store = store();
        writeNestedDocuments(store);

        var all = store.readAll("points");
        assertThat(all.keySet()).containsExactlyElementsOf(store.list("points"));
        assertThat(all.get("points/p-1/manifest.json")).isEqualTo(utf8("1\u00e9\n"));
        assertThat(all.get("points/p-1/notes/bad.json")).isEqualTo(utf8("b"));
        assertThat(store.readAll("nothing-here")).isEmpty();
        assertThat(store.readAll("").keySet()).containsExactlyElementsOf(store.list(""));
        assertThat(otherMachine().readAll("points").keySet()).containsExactlyElementsOf(all.keySet());
    }

    @Test
    void shouldDeleteADocumentAndTakeAMissingOneCalmly() {
        StoreBackend store = store();
        store.write("reports/app/r-1.json", utf8("r"));

        store.delete("reports/app/r-1.json");
        store.delete("reports/app/r-1.json");
        store.delete("reports/app/never.json");

        assertThat(store.read("reports/app/r-1.json")).isEmpty();
        assertThat(store.list("reports")).isEmpty();
    }

    @Test
    void shouldRefuseABadKeyAndWriteNothing() {
        StoreBackend store = store();
        for (String bad : List.of("", "../escape", "a//b", "/abs", "a/./b", "a/../b", "sp ace", ".hidden", "a/")) {
            assertThatThrownBy(() -> store.write(bad, utf8("x"))).as(bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected");
        }
        assertThat(store.list("")).isEmpty();
    }

    @Test
    void shouldShareItsDocumentsWithAnotherMachine() {
        StoreBackend here = store();
        StoreBackend there = otherMachine();

        here.write("points/p-9/manifest.json", utf8("from here"));

        assertThat(there.read("points/p-9/manifest.json")).hasValueSatisfying(b ->
                assertThat(new String(b, StandardCharsets.UTF_8)).isEqualTo("from here"));
        there.delete("points/p-9/manifest.json");
        assertThat(here.read("points/p-9/manifest.json")).isEmpty();
    }

    @Test
    void shouldLetOneHolderAtATimeTakeAPlansLockAndNameItToTheOthers() {
        StoreBackend here = store();
        StoreBackend there = otherMachine();
        LockOwner me = LockOwner.me("rollback r-1 to point p-7");

        try (StoreLock lock = here.lock("app", me)) {
            assertThat(lock.isHeld()).isTrue();
            assertThat(lock.owner()).isEqualTo(me);
            assertThatThrownBy(() -> there.lock("app", LockOwner.me("capture"))).isInstanceOf(
                    RollbackInProgressException.class).hasMessageContaining("held by process " + me.pid())
                    .hasMessageContaining("rollback r-1 to point p-7").hasMessageContaining("breakLock");
            assertThat(there.holder("app")).hasValueSatisfying(h -> {
                assertThat(h.pid()).isEqualTo(me.pid());
                assertThat(h.user()).isEqualTo(me.user());
                assertThat(h.doing()).isEqualTo(me.doing());
            });
            try (StoreLock other = there.lock("other-plan", LockOwner.me("capture"))) {
                assertThat(other.isHeld()).as("another plan's lock is its own").isTrue();
            }
            lock.close();
            assertThat(lock.isHeld()).isFalse();
            try (StoreLock next = there.lock("app", LockOwner.me("capture"))) {
                assertThat(next.isHeld()).isTrue();
            }
        }
        assertThat(here.holder("app")).isEmpty();
        assertThat(here.breakLock("app", LockOwner.me("break"), "nobody holds it")).isEmpty();
    }

    @Test
    void shouldRefuseABadLockNameAndABreakWithoutReason() {
        StoreBackend store = store();
        assertThatThrownBy(() -> store.lock("../x", LockOwner.me("capture")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lock name");
        assertThatThrownBy(() -> store.breakLock("app", LockOwner.me("break"), " "))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reason");
    }
}
