package dev.rollback.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.store.RollbackInProgressException;
import dev.rollback.store.StoreException;
import dev.rollback.store.LockOwner;
import dev.rollback.store.StoreBackend;
import dev.rollback.store.StoreLock;
import dev.rollback.testing.StoreBackendContract;
import dev.rollback.testing.db.PostgresServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The PostgreSQL store passes the store contract, one instance connecting by URL and the other through a DataSource,
 * each test in a schema of its own; its format is refused when newer, and its lock is the session's: freed when the
 * holder's session is ended from outside, and broken by ending it.
 */
@ExtendWith(PostgresServer.Extension.class)
class PostgresStoreTest extends StoreBackendContract {

    static final String DATABASE = "rollback_store";
    static final String ROLE = "rollback_store";
    static final String PASSWORD = "store pw";
    private static final AtomicInteger SCHEMAS = new AtomicInteger();
    private static boolean made;

    final PostgresServer server;
    final String schema = "store_" + ProcessHandle.current().pid() + "_" + SCHEMAS.incrementAndGet();
    final List<StoreBackend> opened = new ArrayList<>();

    PostgresStoreTest(PostgresServer server) {
        this.server = server;
        synchronized (PostgresStoreTest.class) {
            if (!made) {
                server.role(ROLE, PASSWORD);
                server.recreate(DATABASE, ROLE);
                made = true;
            }
        }
    }

    String url() {
        return "jdbc:postgresql://127.0.0.1:" + server.port() + "/" + DATABASE;
    }

    <S extends StoreBackend> S opened(S store) {
        opened.add(store);
        return store;
    }

    @Override
    protected StoreBackend store() {
        return opened(PostgresStore.of(url(), ROLE, PASSWORD, schema));
    }

    @Override
    protected StoreBackend otherMachine() {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setUrl(url());
        ds.setUser(ROLE);
        ds.setPassword(PASSWORD);
        return opened(PostgresStore.of(ds, schema));
    }

    /** The superuser's connection to the store's database: a third party, as an administrator would be. */
    Jdbi admin() {
        return server.jdbi(DATABASE);
    }

    @AfterEach
    void closeStores() {
        opened.forEach(StoreBackend::close);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void shouldRefuseTablesOfANewerFormatInEveryOperationAndChangeNothing() {
        StoreBackend before = store();
        before.write("points/p-1/manifest.json", utf8("kept"));
        admin().useHandle(h -> h.execute("UPDATE \"" + schema + "\".rollback_format SET version = 2"));
        StoreBackend reader = otherMachine();

        List<Consumer<StoreBackend>> operations = List.of(s -> s.read("points/p-1/manifest.json"),
                s -> s.write("points/p-1/manifest.json", utf8("overwritten")), s -> s.list("points"),
                s -> s.delete("points/p-1/manifest.json"), s -> s.lock("app", LockOwner.me("capture")),
                s -> s.holder("app"), s -> s.breakLock("app", LockOwner.me("break"), "stuck"));
        for (StoreBackend s : List.of(reader, before)) {
            for (Consumer<StoreBackend> op : operations) {
                assertThatThrownBy(() -> op.accept(s)).isInstanceOf(StoreException.class)
                        .hasMessageContaining("store PostgreSQL schema \"" + schema + "\"")
                        .hasMessageContaining("expected its tables in format 1")
                        .hasMessageContaining("found format 2").hasMessageContaining("nothing was read or changed")
                        .hasMessageContaining("upgrade the library");
            }
        }

        admin().useHandle(h -> {
            assertThat(h.createQuery("SELECT convert_from(content, 'UTF8') FROM \"" + schema
                    + "\".rollback_documents").mapTo(String.class).list()).containsExactly("kept");
            assertThat(h.createQuery("SELECT count(*) FROM \"" + schema + "\".rollback_locks").mapTo(Integer.class)
                    .one()).isZero();
            assertThat(h.createQuery("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND database = "
                    + "(SELECT oid FROM pg_database WHERE datname = current_database())").mapTo(Integer.class)
                    .one()).isZero();
            h.execute("UPDATE \"" + schema + "\".rollback_format SET version = 1");
        });
        assertThat(reader.read("points/p-1/manifest.json")).hasValueSatisfying(b ->
                assertThat(new String(b, StandardCharsets.UTF_8)).isEqualTo("kept"));
    }

    @Test
    void shouldMakeItsTablesOnceInFormatOne() {
        store().list("");
        otherMachine().list("");

        admin().useHandle(h -> {
            assertThat(h.createQuery("SELECT version FROM \"" + schema + "\".rollback_format").mapTo(Integer.class)
                    .list()).containsExactly(1);
            assertThat(h.createQuery("SELECT table_name FROM information_schema.tables WHERE table_schema = :s "
                    + "ORDER BY 1").bind("s", schema).mapTo(String.class).list())
                    .containsExactly("rollback_documents", "rollback_format", "rollback_locks");
        });
    }

    @Test
    void shouldLetThreadsOfTwoStoresReplaceADocumentAndReadItWhole() throws Exception {
        StoreBackend here = store();
        StoreBackend there = otherMachine();
        byte[] a = utf8("a".repeat(100_000));
        byte[] b = utf8("b".repeat(50_000));
        here.write("journals/app.json", a);
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> runs = new ArrayList<>();
            for (StoreBackend s : List.of(here, there, here, there)) {
                runs.add(threads.submit(() -> {
                    for (int i = 0; i < 25; i++) {
                        s.write("journals/app.json", i % 2 == 0 ? a : b);
                        byte[] read = s.read("journals/app.json").orElseThrow();
                        assertThat(Arrays.equals(read, a) || Arrays.equals(read, b)).as("a whole document").isTrue();
                    }
                    return null;
                }));
            }
            for (Future<?> run : runs) {
                run.get(60, TimeUnit.SECONDS);
            }
        } finally {
            threads.shutdownNow();
        }
        assertThat(there.list("journals")).containsExactly("journals/app.json");
    }

    @Test
    void shouldMatchAPrefixWithAnUnderscoreOnlyItself() {
        StoreBackend store = store();
        for (String key : List.of("a_b/x", "aXb/y", "a_b2/z", "a_b/c/d", "a_b-/w", "a_/v")) {
            store.write(key, utf8(key));
        }

        assertThat(store.list("a_b")).containsExactly("a_b/c/d", "a_b/x");
        assertThat(store.list("a_")).containsExactly("a_/v");
    }

    @Test
    void shouldQuoteItsSchemaAndRefuseOneThatPostgresWouldNotKeep() {
        StoreBackend odd = opened(PostgresStore.of(url(), ROLE, PASSWORD, "Odd \"schema\"; DROP " + schema));
        odd.write("points/p-1/manifest.json", utf8("odd"));
        assertThat(odd.read("points/p-1/manifest.json")).isPresent();
        assertThat(odd.describe()).startsWith("PostgreSQL schema \"Odd \"\"schema\"\"; DROP " + schema + "\" at ");

        for (String bad : List.of("", "pg_store", "a\0b", "x".repeat(64))) {
            assertThatThrownBy(() -> PostgresStore.of(url(), ROLE, PASSWORD, bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected a schema name");
        }
        assertThatThrownBy(() -> PostgresStore.of("jdbc:mysql://127.0.0.1/x", ROLE, PASSWORD, schema))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected a JDBC URL such as");
    }

    @Test
    void shouldNameTheStoreAndNotItsPasswordWhenItCannotConnect() {
        StoreBackend wrong = opened(PostgresStore.of(url() + "?connectTimeout=5", ROLE, "wrong secret", schema));

        assertThatThrownBy(() -> wrong.read("points/p-1/manifest.json")).isInstanceOf(StoreException.class)
                .hasMessageStartingWith("store PostgreSQL schema \"" + schema + "\" at " + url()
                        + ": expected to read the document 'points/p-1/manifest.json', found ")
                .hasMessageContaining("password authentication failed")
                .hasMessageContaining("check the user '" + ROLE + "' and its password")
                .hasMessageNotContaining("wrong secret").hasMessageNotContaining("connectTimeout");
    }

    @Test
    void shouldIgnoreAStaleOwnerNoteAndReplaceIt() {
        StoreBackend store = store();
        store.list("");
        admin().useHandle(h -> h.execute("INSERT INTO \"" + schema + "\".rollback_locks (name, owner) VALUES "
                + "('app', '{\"user\":\"gone\",\"machine\":\"old\",\"pid\":\"7\",\"doing\":\"rollback r-0\","
                + "\"since\":\"2024-01-15T09:31:00Z\",\"lockPid\":\"99999\"}')"));

        assertThat(store.holder("app")).isEmpty();
        LockOwner me = LockOwner.me("rollback r-1 to point p-7");
        try (StoreLock lock = store.lock("app", me)) {
            assertThat(otherMachine().holder("app")).contains(me);
        }
        assertThat(store.holder("app")).isEmpty();
    }

    @Test
    void shouldFreeTheLockWhenTheHoldersSessionIsEndedFromOutside() {
        StoreBackend here = store();
        StoreBackend there = otherMachine();
        StoreLock lock = here.lock("app", LockOwner.me("rollback r-1 to point p-7"));
        int session = admin().withHandle(h -> h.createQuery("SELECT (owner::json ->> 'lockPid')::int FROM \""
                + schema + "\".rollback_locks WHERE name = 'app'").mapTo(Integer.class).one());

        long[] start = new long[1];
        long freed = admin().withHandle(h -> {
            start[0] = System.nanoTime();
            h.createQuery("SELECT pg_terminate_backend(:p)").bind("p", session).mapTo(Boolean.class).one();
            while (h.createQuery("SELECT count(*) FROM pg_locks WHERE pid = :p").bind("p", session)
                    .mapTo(Integer.class).one() > 0) {
                assertThat(System.nanoTime() - start[0]).as("lock freed within 10 s").isLessThan(10_000_000_000L);
            }
            return System.nanoTime() - start[0];
        });
        assertThat(there.holder("app")).isEmpty();
        long seen = System.nanoTime() - start[0];

        assertThat(lock.isHeld()).isFalse();
        LockOwner next = LockOwner.me("capture");
        try (StoreLock taken = there.lock("app", next)) {
            assertThat(taken.isHeld()).isTrue();
            assertThat(here.holder("app")).contains(next);
        }
        lock.close();
        System.out.printf("PostgresStore: lock free in pg_locks %.1f ms after its session was terminated, seen free by "
                + "another store after %.1f ms%n", freed / 1e6, seen / 1e6);
    }

    @Test
    void shouldFreeTheLockWhenTheHoldersJvmIsKilled() throws Exception {
        String jvm = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(jvm, "-cp", System.getProperty("java.class.path"), Holder.class.getName(),
                url(), schema).redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            for (String line = out.readLine(); !"held".equals(line); line = out.readLine()) {
                assertThat(line).as("the child's output before it holds the lock").isNotNull();
            }
            StoreBackend there = otherMachine();
            assertThat(there.holder("app")).hasValueSatisfying(h -> {
                assertThat(h.pid()).isEqualTo(child.pid());
                assertThat(h.doing()).isEqualTo("rollback r-1 in a child JVM");
            });

            long start = System.nanoTime();
            child.destroyForcibly().waitFor();
            while (there.holder("app").isPresent()) {
                assertThat(System.nanoTime() - start).as("lock freed within 10 s").isLessThan(10_000_000_000L);
            }
            long freed = System.nanoTime() - start;
            try (StoreLock taken = there.lock("app", LockOwner.me("capture"))) {
                assertThat(taken.isHeld()).isTrue();
            }
            System.out.printf("PostgresStore: lock free %.1f ms after its holder's JVM was killed (SIGKILL)%n",
                    freed / 1e6);
        } finally {
            child.destroyForcibly();
        }
    }

    /** Run in a child JVM: takes the lock of plan 'app', says so, and waits to be killed. */
    static final class Holder {
        public static void main(String[] args) throws Exception {
            StoreBackend store = PostgresStore.of(args[0], ROLE, PASSWORD, args[1]);
            store.lock("app", LockOwner.me("rollback r-1 in a child JVM"));
            System.out.println("held");
            System.out.flush();
            Thread.sleep(120_000);
        }
    }

    @Test
    void shouldBreakAHeldLockByEndingItsSession() {
        StoreBackend here = store();
        StoreBackend there = otherMachine();
        LockOwner me = LockOwner.me("rollback r-1 to point p-7");
        StoreLock lock = here.lock("app", me);

        long start = System.nanoTime();
        assertThat(there.breakLock("app", LockOwner.me("break"), "its machine is gone")).contains(me);
        long broke = System.nanoTime() - start;

        assertThat(lock.isHeld()).isFalse();
        assertThat(there.holder("app")).isEmpty();
        try (StoreLock taken = there.lock("app", LockOwner.me("capture"))) {
            assertThat(taken.isHeld()).isTrue();
        }
        lock.close();
        lock.close();
        admin().useHandle(h -> assertThat(h.createQuery("SELECT count(*) FROM \"" + schema
                + "\".rollback_locks").mapTo(Integer.class).one()).isZero());
        System.out.printf("PostgresStore: breakLock returned in %.1f ms, the lock free%n", broke / 1e6);
    }

    @Test
    void shouldServeARoleThatMayOnlyUseItsTablesAndRefuseItABreakItMayNotDo() {
        String role = "rollback_store_user";
        server.role(role, "user pw");
        StoreBackend made = store();
        LockOwner holder = LockOwner.me("rollback r-1 to point p-7");
        made.write("points/p-1/manifest.json", utf8("made by the owner"));
        admin().useHandle(h -> {
            h.execute("GRANT USAGE ON SCHEMA \"" + schema + "\" TO " + role);
            h.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA \"" + schema + "\" TO " + role);
        });
        StoreBackend user = opened(PostgresStore.of(url(), role, "user pw", schema));

        assertThat(user.read("points/p-1/manifest.json")).isPresent();
        user.write("points/p-2/manifest.json", utf8("by the user"));
        try (StoreLock lock = made.lock("app", holder)) {
            assertThatThrownBy(() -> user.breakLock("app", LockOwner.me("break"), "stuck"))
                    .isInstanceOf(RollbackInProgressException.class)
                    .hasMessageContaining("expected to end database session")
                    .hasMessageContaining("must be a member of the role whose process is being terminated")
                    .hasMessageContaining("it is held by " + holder.describe())
                    .hasMessageContaining("pg_signal_backend");
            assertThat(lock.isHeld()).isTrue();
        }
        assertThatThrownBy(() -> opened(PostgresStore.of(url(), role, "user pw", schema + "_new")).list(""))
                .isInstanceOf(StoreException.class).hasMessageContaining("permission denied for database")
                .hasMessageContaining("grant the role USAGE on schema \"" + schema + "_new\"");
    }

    @Test
    void shouldRefuseWhileHeldAndGiveEveryLockBackWhenTheStoreCloses() {
        StoreBackend here = store();
        StoreBackend there = otherMachine();
        StoreLock lock = here.lock("app", LockOwner.me("rollback r-1 to point p-7"));
        assertThatThrownBy(() -> there.lock("app", LockOwner.me("capture")))
                .isInstanceOf(RollbackInProgressException.class)
                .hasMessageContaining("in store PostgreSQL schema \"" + schema + "\" at jdbc:postgresql://127.0.0.1:");

        here.close();

        assertThat(lock.isHeld()).isFalse();
        assertThat(there.holder("app")).isEmpty();
        admin().useHandle(h -> assertThat(h.createQuery("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND database = "
                    + "(SELECT oid FROM pg_database WHERE datname = current_database())")
                .mapTo(Integer.class).one()).isZero());
    }
}
