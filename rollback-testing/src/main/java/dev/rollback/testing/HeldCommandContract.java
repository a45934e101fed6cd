package dev.rollback.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import dev.rollback.host.Command;
import dev.rollback.host.HeldCommand;
import dev.rollback.host.Host;
import dev.rollback.host.HostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * What every {@link Host} must do with {@link Host#hold commands held} until their holder lets go, as tests: a
 * {@code flock} held by one host refused to another, freed when its handle or its host is closed, a held command
 * ended when its input ends or killed with its children when it ignores that, its arguments, environment, folder
 * and input passed as given. {@link HostContract} extends it, so a host's contract test runs these too.
 */
public abstract class HeldCommandContract {

    /** The host under test. */
    protected abstract Host host();

    /** An empty folder on the host for this test. */
    protected abstract Path dir();

    /**
     * A new host for the machine of {@link #host()}, with a connection of its own, which the test
     * closes: a lock held through one host is tried through the other, and closing one frees what
     * it held. By default there is none, and the tests that need it are skipped (failed where
     * {@code ROLLBACK_REQUIRE_ALL=true}).
     */
    protected Host openHost() {
        Requirements.require(false, "a second host for the contract of Host.hold (override openHost())");
        return null;
    }

    /** How long a held command may take to print a line, or to end, in these tests. */
    private static final Duration PROMPT = Duration.ofSeconds(15);
    /** The exit status flock gives here when the lock is taken. */
    private static final int BUSY = 75;

    /** A command that takes the lock on {@code file} or ends at once, then says so and reads its input. */
    private static Command flock(Path file) {
        return Command.of("flock", "-n", "-E", Integer.toString(BUSY), file.toString(), "sh", "-c",
                "echo held; exec cat");
    }

    private HeldCommand hold(Host on, Command command) {
        Requirements.require(on.hasProgram("flock"), "flock (util-linux) on host " + on.name());
        try {
            return on.hold(command);
        } catch (UnsupportedOperationException e) {
            Requirements.require(false, "Host.hold on host " + on.name() + " (" + e.getMessage() + ")");
            throw e;
        }
    }

    /** Waits, polling, until {@code condition} holds; the time it took, or a failure after {@code limit}. */
    private static Duration await(String what, Duration limit, BooleanSupplier condition) throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("expected " + what + " within " + limit + ", found it not so");
            }
            Thread.sleep(20);
        }
        return Duration.ofNanos(System.nanoTime() - start);
    }

    /** The exit status of a held command, once it ended. */
    private static int awaitExit(HeldCommand held) throws InterruptedException {
        await("'" + held + "' to end with a status", PROMPT, () -> held.exitStatus().isPresent());
        assertThat(held.isAlive()).isFalse();
        return held.exitStatus().getAsInt();
    }

    /** Whether a lock on {@code file} can be taken now, through the host under test. */
    private boolean free(Path file) {
        return host().run(Command.of("flock", "-n", "-E", Integer.toString(BUSY), file.toString(), "true"))
                .exitCode() == 0;
    }

    @Test
    void shouldHoldALockUntilClosedRefusingItMeanwhileToAnotherHost() throws Exception {
        Path file = dir().resolve("deploy.lock");
        try (Host other = openHost()) {
            HeldCommand first = hold(host(), flock(file));
            try {
                assertThat(first.awaitLine(PROMPT)).contains("held");
                assertThat(first.isAlive()).isTrue();
                assertThat(first.exitStatus()).isEmpty();

                try (HeldCommand second = hold(other, flock(file))) {
                    assertThat(second.awaitLine(PROMPT)).as("a second holder prints nothing").isEmpty();
                    assertThat(awaitExit(second)).as("flock's busy status").isEqualTo(BUSY);
                }
                assertThat(first.isAlive()).as("the first holder is untouched").isTrue();
            } finally {
                first.close();
            }
            assertThat(first.isAlive()).isFalse();
            first.close(); // idempotent

            try (HeldCommand third = hold(other, flock(file))) {
                assertThat(third.awaitLine(PROMPT)).contains("held");
            }
        }
    }

    @Test
    void shouldEndAHeldCommandThatReadsItsInputWhenItsInputEnds() throws Exception {
        HeldCommand cat = hold(host(), Command.of("sh", "-c", "echo ready; cat; echo 'input ended' >&2; exit 7"));

        assertThat(cat.awaitLine(PROMPT)).contains("ready");
        long start = System.nanoTime();
        cat.close();

        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("ended by itself, not killed after the grace")
                .isLessThan(HeldCommand.GRACE);
        assertThat(awaitExit(cat)).isEqualTo(7);
        await("its standard error", PROMPT, () -> cat.stderr().contains("input ended"));
        assertThat(cat.stderr()).isEqualTo("input ended\n");
        assertThat(cat.awaitLine(Duration.ofMillis(10))).isEmpty();
    }

    @Test
    void shouldKillAHeldCommandAndItsChildrenWhenTheyIgnoreTheEndOfTheirInput() throws Exception {
        HeldCommand held = hold(host(), Command.of("sh", "-c", "sleep 300 & echo $$; echo $!; wait"));
        long shell = Long.parseLong(held.awaitLine(PROMPT).orElseThrow());
        long child = Long.parseLong(held.awaitLine(PROMPT).orElseThrow());

        held.close();

        assertThat(held.isAlive()).isFalse();
        for (long pid : new long[] {shell, child}) {
            await("process " + pid + " to be gone", PROMPT,
                    () -> ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true));
        }
    }

    @Test
    void shouldFreeAHeldLockWhenItsHostIsClosed() throws Exception {
        Path file = dir().resolve("deploy.lock");
        Host other = openHost();
        HeldCommand held;
        try {
            held = hold(other, flock(file));
            assertThat(held.awaitLine(PROMPT)).contains("held");
            assertThat(free(file)).isFalse();
        } finally {
            other.close();
        }
        Duration took = await("the lock freed once its host is closed", Duration.ofSeconds(10), () -> free(file));

        assertThat(took).isLessThan(Duration.ofSeconds(5));
        await("the held command to be seen ended", PROMPT, () -> !held.isAlive());
    }

    @Test
    void shouldHoldACommandWithItsArgumentsEnvironmentFolderAndInputAsGiven() throws Exception {
        try (HeldCommand held = hold(host(), Command.of("sh", "-c", "printf '[%s]\\n' \"$@\"; pwd; "
                + "echo \"$GREETING\"; exec cat", "sh", " leading", "two words", "x\ny", "", "$HOME", "it's")
                .in(dir()).env("GREETING", "hello there").input(utf8("from stdin\n")))) {
            List<String> lines = new java.util.ArrayList<>();
            for (int i = 0; i < 10; i++) {
                lines.add(held.awaitLine(PROMPT).orElseThrow());
            }

            assertThat(lines).containsExactly("[ leading]", "[two words]", "[x", "y]", "[]", "[$HOME]", "[it's]",
                    dir().toString(), "hello there", "from stdin");
            assertThat(held.isAlive()).as("still reading its input").isTrue();
        }
    }

    @Test
    void shouldRefuseToHoldAProgramThatIsNotInstalled() {
        long start = System.nanoTime();
        assertThatThrownBy(() -> hold(host(), Command.of("no-such-program-xyz", "--help")))
                .isInstanceOf(HostException.class).hasMessageContaining(host().name())
                .hasMessageContaining("no-such-program-xyz").hasMessageContaining("install it");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(PROMPT);
        assertThatThrownBy(() -> hold(host(), Command.of("sh", "-c", "exec cat").in(dir().resolve("missing"))))
                .isInstanceOf(HostException.class).hasMessageContaining("working folder");
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
