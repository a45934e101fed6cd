package dev.rollback.targets;

import static dev.rollback.targets.CommandTarget.ARTIFACT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.CaptureFailedException;
import dev.rollback.spi.CheckResult;
import dev.rollback.Outcome;
import dev.rollback.PreflightFailedException;
import dev.rollback.RestorePoint;
import dev.rollback.Rollback;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackPreview;
import dev.rollback.RollbackReport;
import dev.rollback.StepRecord;
import dev.rollback.spi.TargetKind;
import dev.rollback.testing.TestClock;
import dev.rollback.testing.Trees;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommandTargetTest {

    static final String GOOD = "flask==2.3.2\npsycopg2-binary==2.9.9\nrequests==2.31.0\n";
    static final String BAD = "flask==3.0.0\npsycopg2-binary==2.9.9\nrequests==2.32.0\nurllib3==2.2.0\n";

    @TempDir
    Path dir;

    Path work;
    Path lock;
    final TestClock clock = new TestClock();

    @BeforeEach
    void setUp() throws Exception {
        work = Files.createDirectories(dir.resolve("blog"));
        lock = Files.writeString(work.resolve("requirements.lock"), GOOD);
    }

    CommandTarget deps() {
        return CommandTarget.of("deps")
                .captureWith("cat", "requirements.lock")
                .restoreWith("cp", ARTIFACT, "requirements.lock")
                .verifiedBy("cmp", ARTIFACT, "requirements.lock")
                .in(work);
    }

    RollbackPlan plan(CommandTarget target) {
        return Rollback.plan("blog").store(dir.resolve("store")).clock(clock).sleeper(clock::advance).target(target)
                .build();
    }

    @Test
    void shouldPutTheCapturedDependencyListBackByteForByte() throws Exception {
        RollbackPlan plan = plan(deps());
        RestorePoint before = plan.capture("v1");
        Files.writeString(lock, BAD);

        RollbackReport report = plan.rollback(before);

        assertThat(report.outcome()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(Files.readString(lock)).isEqualTo(GOOD);
        assertThat(report.checks()).filteredOn(c -> c.name().equals("verify deps")).singleElement()
                .satisfies(c -> assertThat(c.passed()).isTrue());
        // nothing is lost: the bad list was captured into the set-aside point before the restore
        RestorePoint aside = plan.store().get(report.setAside().get(0).pointId());
        assertThat(Files.readString(plan.store().artifactDir(aside, "deps").resolve("output"))).isEqualTo(BAD);
    }

    @Test
    void shouldPassArgumentsWithSpacesQuotesAndSubstitutionsVerbatim() throws Exception {
        List<String> tricky = List.of("with space", "it's \"quoted\"", "$(touch pwned)", "; touch pwned2", "`id`",
                "a\\b", "*");
        String[] capture = new String[2 + tricky.size()];
        capture[0] = "printf";
        capture[1] = "%s\\n";
        for (int i = 0; i < tricky.size(); i++) {
            capture[2 + i] = tricky.get(i);
        }
        String oddName = "odd 'name' \"here\" $(touch pwned3).txt";
        RollbackPlan plan = plan(CommandTarget.of("args").captureWith(capture).restoreWith("cp", ARTIFACT, oddName)
                .in(work));

        RestorePoint point = plan.capture("v1");
        RollbackReport report = plan.rollback(point);

        assertThat(report.outcome()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(Files.readAllLines(work.resolve(oddName))).containsExactlyElementsOf(tricky);
        try (var files = Files.list(work)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("requirements.lock",
                    oddName);
        }
        assertThat(dir.resolve("pwned")).doesNotExist();
    }

    @Test
    void shouldGiveTheRestoreCommandAPrivateTemporaryCopyAndRemoveItAfterwards() throws Exception {
        RollbackPlan plan = plan(CommandTarget.of("deps").captureWith("cat", "requirements.lock")
                .restoreWith("sh", "-c", "stat -c %a \"$1\" > mode.txt; printf %s \"$1\" > path.txt; cat \"$1\" > copy.txt",
                        "sh", ARTIFACT)
                .in(work));
        RestorePoint point = plan.capture("v1");

        plan.rollback(point);

        assertThat(Files.readString(work.resolve("mode.txt")).strip()).isEqualTo("600");
        assertThat(Files.readString(work.resolve("copy.txt"))).isEqualTo(GOOD);
        assertThat(Path.of(Files.readString(work.resolve("path.txt")))).isAbsolute().doesNotExist();
    }

    @Test
    void shouldFailTheCaptureWithTheCommandItsExitCodeAndItsErrorOutput() throws Exception {
        RollbackPlan plan = plan(CommandTarget.of("deps").captureWith("cat", "missing.lock")
                .restoreWith("cp", ARTIFACT, "missing.lock").in(work));

        assertThatThrownBy(() -> plan.capture("v1"))
                .isInstanceOf(CaptureFailedException.class)
                .hasMessageContaining("'cat missing.lock' on local exited 1")
                .hasMessageContaining("No such file or directory")
                .hasMessageContaining("command target 'deps'");
        assertThat(plan.restorePoints()).isEmpty();
    }

    @Test
    void shouldFailTheRestoreWithTheCommandItsExitCodeAndNoSecretInTheReport() throws Exception {
        String secret = "s3cr3t-t0ken-4711";
        RollbackPlan plan = plan(CommandTarget.of("deps").captureWith("cat", "requirements.lock")
                .restoreWith("sh", "-c", "echo \"index refused token $TOKEN\" >&2; exit 3", "sh", ARTIFACT)
                .env("TOKEN", secret)
                .in(work));
        RestorePoint point = plan.capture("v1");
        RollbackPreview preview = plan.preview(point);

        RollbackReport report = plan.rollback(point);

        StepRecord failed = report.failedSteps().get(0);
        assertThat(failed.name()).isEqualTo("restore deps");
        assertThat(failed.detail()).contains("exited 3").contains("index refused token ****").doesNotContain(secret);
        assertThat(report.toJson()).doesNotContain(secret);
        assertThat(report.toMarkdown()).doesNotContain(secret);
        assertThat(preview.toString()).contains("TOKEN=****").doesNotContain(secret);
    }

    @Test
    void shouldShowTheExactArgvInThePreviewWithoutChangingAnything() throws Exception {
        RollbackPlan plan = plan(deps().timeout(Duration.ofMinutes(2)));
        RestorePoint point = plan.capture("v1");
        Files.writeString(lock, BAD);
        var before = Trees.fingerprint(work);

        RollbackPreview preview = plan.preview(point);

        assertThat(preview.stepsOf("deps")).filteredOn(s -> s.name().equals("restore deps")).singleElement()
                .satisfies(s -> assertThat(s.actions()).containsExactly(
                        "copy the output captured by 'cat requirements.lock' (" + GOOD.length() + " bytes) to a new "
                                + "private temporary file on host local as {artifact}",
                        "run: cp {artifact} requirements.lock in " + work + ", timeout 120 s",
                        "verify with: cmp {artifact} requirements.lock in " + work + ", timeout 120 s",
                        "remove the temporary file"));
        assertThat(Trees.fingerprint(work)).isEqualTo(before);
    }

    @Test
    void shouldNameAMissingCaptureProgramClearly() {
        RollbackPlan plan = plan(CommandTarget.of("deps").captureWith("no-such-tool-4711", "freeze")
                .restoreWith("cp", ARTIFACT, "x"));

        assertThatThrownBy(() -> plan.capture("v1"))
                .isInstanceOf(CaptureFailedException.class)
                .hasMessageContaining("cannot run the capture command")
                .hasMessageContaining("expected the program 'no-such-tool-4711'")
                .hasMessageContaining("install it or give its full path");
    }

    @Test
    void shouldRefuseInPreflightWhenTheRestoreProgramIsMissingAndChangeNothing() throws Exception {
        RollbackPlan capturing = plan(deps());
        RestorePoint point = capturing.capture("v1");
        Files.writeString(lock, BAD);
        var before = Trees.fingerprint(work);
        RollbackPlan plan = plan(CommandTarget.of("deps").captureWith("cat", "requirements.lock")
                .restoreWith("no-such-installer-4711", "-r", ARTIFACT).in(work));

        assertThatThrownBy(() -> plan.rollback(point))
                .isInstanceOf(PreflightFailedException.class)
                .hasMessageContaining("the program 'no-such-installer-4711' on host local")
                .hasMessageContaining("install it or give its full path");
        assertThat(Trees.fingerprint(work)).isEqualTo(before);
    }

    @Test
    void shouldKillACaptureThatRunsPastItsTimeout() {
        RollbackPlan plan = plan(CommandTarget.of("slow").captureWith("sleep", "30")
                .restoreWith("cp", ARTIFACT, "x").timeout(Duration.ofMillis(300)));

        assertThatThrownBy(() -> plan.capture("v1"))
                .isInstanceOf(CaptureFailedException.class)
                .hasMessageContaining("'sleep 30' on local was killed after its timeout");
    }

    @Test
    void shouldFailVerifyWhenTheVerifyCommandFails() throws Exception {
        RollbackPlan plan = plan(deps().verifiedBy("grep", "-q", "django", "requirements.lock"));
        RestorePoint point = plan.capture("v1");

        RollbackReport report = plan.rollback(point);

        CheckResult verify = report.checks().stream().filter(c -> c.name().equals("verify deps")).findFirst()
                .orElseThrow();
        assertThat(verify.passed()).isFalse();
        assertThat(verify.detail()).contains("'grep -q django requirements.lock' on local exited 1");
        assertThat(report.isSuccessful()).isFalse();
    }

    @Test
    void shouldRejectBadConfigurationWhereItIsGiven() {
        assertThatThrownBy(() -> CommandTarget.of("my deps")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'my deps'");
        assertThatThrownBy(() -> CommandTarget.of("deps").restoreWith("pip", "install", "-r", "requirements.txt"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("{artifact}");
        assertThatThrownBy(() -> CommandTarget.of("deps").captureWith()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("command target 'deps'").hasMessageContaining("empty argv");
        assertThatThrownBy(() -> CommandTarget.of("deps").env("BAD NAME", "x"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'BAD NAME'");
        assertThatThrownBy(() -> CommandTarget.of("deps").timeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("positive timeout");
    }

    @Test
    void shouldBeConfigByDefaultAndImmutable() {
        CommandTarget base = CommandTarget.of("deps").captureWith("pip", "freeze");
        CommandTarget code = base.kind(TargetKind.CODE).env("TOKEN", "x");

        assertThat(base.kind()).isEqualTo(TargetKind.CONFIG);
        assertThat(base.secrets()).isEmpty();
        assertThat(code.kind()).isEqualTo(TargetKind.CODE);
        assertThat(code.secrets()).containsExactly("x");
        assertThat(code.toString()).contains("pip freeze").contains("TOKEN").doesNotContain("=x");
    }

    @Test
    void shouldWriteTheOutputAsUtf8Text() throws Exception {
        Files.writeString(lock, "naïve==1.0 # ünïcode\n", StandardCharsets.UTF_8);
        RollbackPlan plan = plan(deps());
        RestorePoint point = plan.capture("v1");
        Files.writeString(lock, BAD);

        plan.rollback(point);

        assertThat(Files.readString(lock, StandardCharsets.UTF_8)).isEqualTo("naïve==1.0 # ünïcode\n");
    }
}
