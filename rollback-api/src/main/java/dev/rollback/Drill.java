package dev.rollback;

import dev.rollback.DrillReport.Stage;
import dev.rollback.DrillReport.StageRecord;
import dev.rollback.internal.engine.EngineContext;
import dev.rollback.spi.Check;
import dev.rollback.spi.CheckAttempt;
import dev.rollback.spi.CheckResult;
import dev.rollback.spi.Plural;
import dev.rollback.spi.Problem;
import dev.rollback.spi.StepContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A rollback drill in one call: applies a visible change, checks it shows, rolls the plan back,
 * checks the change is gone and the data that must survive did, and reports how long each part
 * took. What a team does once a month by hand, runnable from a test or a scheduler.
 *
 * <p>The stages, in order ({@link DrillReport.Stage}):
 *
 * <ol>
 *   <li>CAPTURE: {@link RollbackPlan#capture} a restore point labelled {@code drill <id>}. If it
 *       fails, nothing was changed and the drill ends FAILED here.
 *   <li>CHANGE: the change runs. An exception fails the drill, which still rolls back: the change
 *       may be half applied.
 *   <li>SHOWS: the {@link #shows} checks run, once each (a {@link dev.rollback.check.HealthCheck}
 *       makes its own attempts). A check that does not pass fails the drill, which still rolls
 *       back.
 *   <li>ROLLBACK: {@link RollbackPlan#rollback(RestorePoint)}, with the plan's own verify phase. A
 *       rollback that does not succeed, or is refused, fails the drill.
 *   <li>AFTER: the {@link #thenGone} and {@link #keeps} checks run, once each; one that does not
 *       pass fails the drill.
 *   <li>CLEANUP: the drill's restore point and the point the rollback set aside are deleted,
 *       unless {@link #keepPoints()} was given, or the rollback or an after-check failed (they are
 *       then the way back to the state before the rollback, and are kept). A failure to delete is
 *       listed in the report's problems; it does not fail the drill.
 * </ol>
 *
 * <p>The drill fails at the first stage that fails; later failures are listed in the report's
 * problems. Time is the plan's clock and waiting its {@link Sleeper}, so tests run a drill without
 * sleeping.
 *
 * <p>Configuration is immutable: every method but {@link #run()} returns a new drill and validates
 * its argument at once ({@link IllegalArgumentException} saying what was expected); {@link #run()}
 * checks that a change and a check that it shows were given before anything runs. A drill is
 * thread-safe; each {@link #run()} is a drill of its own, and the plan's lock keeps two rollbacks
 * of one plan from running at once.
 *
 * <pre>{@code
 * DrillReport drill = Drill.of(plan)
 *     .change("deploy the test banner", ctx -> Files.writeString(page, "DRILL " + ctx.drillId()))
 *     .shows(HealthCheck.http(uri).bodyContains("DRILL"))
 *     .thenGone(HealthCheck.http(uri).bodyContains("v1.0.0"))
 *     .keeps(Check.of("orders intact", () -> countOrders() == before))
 *     .run();
 * Files.writeString(Path.of("drills", drill.drillId() + ".md"), drill.toMarkdown());
 * }</pre>
 */
public final class Drill {

    /** The change a drill applies: something visible that the rollback must take away. */
    @FunctionalInterface
    public interface Change {
        /** Applies the change; any exception fails the drill, which still rolls back. */
        void apply(DrillContext ctx) throws Exception;
    }

    private final RollbackPlan plan;
    private final String changeName;
    private final Change change;
    private final List<Check> shows;
    private final List<Check> gone;
    private final List<Check> keeps;
    private final boolean keepPoints;

    private Drill(RollbackPlan plan, String changeName, Change change, List<Check> shows, List<Check> gone,
            List<Check> keeps, boolean keepPoints) {
        this.plan = plan;
        this.changeName = changeName;
        this.change = change;
        this.shows = List.copyOf(shows);
        this.gone = List.copyOf(gone);
        this.keeps = List.copyOf(keeps);
        this.keepPoints = keepPoints;
    }

    /**
     * A drill of {@code plan}; give it a change and a check that it shows, then {@link #run()} it.
     *
     * @throws IllegalArgumentException if the plan is null
     */
    public static Drill of(RollbackPlan plan) {
        if (plan == null) {
            throw new IllegalArgumentException("drill: expected a plan, found null; give the plan to drill, such as "
                    + "Drill.of(Rollback.plan(\"shop\")...build())");
        }
        return new Drill(plan, null, null, List.of(), List.of(), List.of(), false);
    }

    /**
     * This drill applying {@code change}, named {@code name} in its report. A drill has one change.
     *
     * @throws IllegalArgumentException if the name is blank, the change null, or a change was already given
     */
    public Drill change(String name, Change change) {
        if (name == null || name.isBlank() || change == null) {
            throw new IllegalArgumentException(of() + ": expected a change with a name, found "
                    + (change == null ? "no change" : "a blank name") + "; give one such as change(\"deploy the "
                    + "test banner\", ctx -> Files.writeString(page, \"DRILL \" + ctx.drillId()))");
        }
        if (this.change != null) {
            throw new IllegalArgumentException(of() + ": expected one change, found '" + changeName + "' already and '"
                    + name + "' given; put both in one change, or run two drills");
        }
        return new Drill(plan, name.strip(), change, shows, gone, keeps, keepPoints);
    }

    /**
     * This drill also checking, after the change, that it shows; the check runs once.
     *
     * @throws IllegalArgumentException if the check is null
     */
    public Drill shows(Check check) {
        List<Check> more = add(shows, check, "shows", "HealthCheck.http(uri).bodyContains(\"DRILL\")");
        return new Drill(plan, changeName, change, more, gone, keeps, keepPoints);
    }

    /**
     * This drill also checking, after the rollback, that the change is gone; the plan's own checks
     * run in the rollback's verify phase as well.
     *
     * @throws IllegalArgumentException if the check is null
     */
    public Drill thenGone(Check check) {
        List<Check> more = add(gone, check, "thenGone", "HealthCheck.http(uri).bodyContains(\"v1.0.0\")");
        return new Drill(plan, changeName, change, shows, more, keeps, keepPoints);
    }

    /**
     * This drill also checking, after the rollback, that data which must survive it did.
     *
     * @throws IllegalArgumentException if the check is null
     */
    public Drill keeps(Check check) {
        List<Check> more = add(keeps, check, "keeps", "Check.of(\"orders intact\", () -> countOrders() == before)");
        return new Drill(plan, changeName, change, shows, gone, more, keepPoints);
    }

    /** This drill leaving its restore point and the rollback's set-aside point in the store. */
    public Drill keepPoints() {
        return new Drill(plan, changeName, change, shows, gone, keeps, true);
    }

    private List<Check> add(List<Check> checks, Check check, String method, String example) {
        if (check == null) {
            throw new IllegalArgumentException(of() + ": " + method + ": expected a check, found null; give one such "
                    + "as " + method + "(" + example + ")");
        }
        List<Check> more = new ArrayList<>(checks);
        more.add(check);
        return more;
    }

    /**
     * Runs the drill and returns its report; blocks the calling thread meanwhile. A failed stage is
     * reported, not thrown.
     *
     * @throws IllegalArgumentException if no change or no check that it shows was given; nothing ran
     */
    public DrillReport run() {
        if (change == null) {
            throw new IllegalArgumentException(of() + ": expected a change to apply, found none; give one with "
                    + "change(\"deploy the test banner\", ctx -> ...)");
        }
        if (shows.isEmpty()) {
            throw new IllegalArgumentException(of() + ": expected at least one check that the change '" + changeName
                    + "' shows, found none; add one with shows(HealthCheck.http(uri).bodyContains(\"DRILL\"))");
        }
        DrillReport report = new Run().execute();
        plan.spec.writer().keepReport(report, plan.spec.redactor());
        plan.spec.listeners().drillFinished(report);
        return report;
    }

    /** The state of one run of the drill. */
    private final class Run {
        final Clock clock = plan.spec.clock();
        final String drillId = plan.spec.writer().newId();
        final String label = "drill " + drillId;
        final Instant startedAt = clock.instant();
        final List<StageRecord> stages = new ArrayList<>();
        final List<CheckResult> shown = new ArrayList<>();
        final List<CheckResult> goneResults = new ArrayList<>();
        final List<CheckResult> kept = new ArrayList<>();
        final List<String> problems = new ArrayList<>();
        final List<String> deleted = new ArrayList<>();
        final List<String> keptPoints = new ArrayList<>();
        Stage failedStage;
        String reason;
        RestorePoint point;
        RollbackReport rollback;

        DrillReport execute() {
            Instant at = clock.instant();
            try {
                point = plan.capture(label);
                stage(Stage.CAPTURE, at, true, "captured " + point.id() + " '" + label + "' of "
                        + Plural.of(point.snapshots().size(), "target"));
            } catch (RuntimeException e) {
                fail(Stage.CAPTURE, at, "capture failed, nothing was changed: " + plan.spec.redactor().describe(e));
                return report();
            }
            StepContext checkCtx = checkContext();
            List<CheckResult> notBegun = new ArrayList<>();
            List<Check> showing = begin(shows, checkCtx, notBegun);

            at = clock.instant();
            try {
                change.apply(changeContext());
                stage(Stage.CHANGE, at, true, "applied '" + changeName + "'");
            } catch (Exception e) {
                keepInterrupt(e);
                fail(Stage.CHANGE, at, "the change '" + changeName + "' failed: " + plan.spec.redactor().describe(e)
                        + "; rolled back all the same");
            }

            if (failedStage == null) {
                at = clock.instant();
                shown.addAll(notBegun);
                List<CheckResult> results = new ArrayList<>(notBegun);
                results.addAll(runChecks(showing, checkCtx, shown));
                passOrFail(Stage.SHOWS, at, results, "the change does not show");
            }

            List<CheckResult> goneNotBegun = new ArrayList<>();
            List<CheckResult> keepsNotBegun = new ArrayList<>();
            List<Check> goneChecks = begin(gone, checkCtx, goneNotBegun);
            List<Check> keepChecks = begin(keeps, checkCtx, keepsNotBegun);
            at = clock.instant();
            try {
                rollback = plan.rollback(point);
                if (rollback.isSuccessful()) {
                    stage(Stage.ROLLBACK, at, true, "rolled back to " + point.id() + ": " + rollback.outcome());
                } else {
                    fail(Stage.ROLLBACK, at, "the rollback ended " + rollback.outcome()
                            + (rollback.errors().isEmpty() ? "" : ": " + String.join("; ", rollback.errors())));
                }
            } catch (RuntimeException e) {
                fail(Stage.ROLLBACK, at, "the rollback was refused: " + plan.spec.redactor().describe(e));
            }

            if (rollback != null) {
                at = clock.instant();
                goneResults.addAll(goneNotBegun);
                kept.addAll(keepsNotBegun);
                List<CheckResult> results = new ArrayList<>(goneNotBegun);
                results.addAll(keepsNotBegun);
                results.addAll(runChecks(goneChecks, checkCtx, goneResults));
                results.addAll(runChecks(keepChecks, checkCtx, kept));
                if (!gone.isEmpty() || !keeps.isEmpty()) {
                    passOrFail(Stage.AFTER, at, results, "after the rollback");
                }
            }
            cleanUp();
            return report();
        }

        /** Calls each check's {@link Check#begin}; one that fails is recorded as a failed result. */
        private List<Check> begin(List<Check> checks, StepContext ctx, List<CheckResult> failures) {
            List<Check> begun = new ArrayList<>();
            for (Check c : checks) {
                try {
                    Check b = c.begin(ctx);
                    begun.add(b == null ? c : b);
                } catch (Exception e) {
                    keepInterrupt(e);
                    failures.add(CheckResult.failed(plan.spec.redactor().redact(c.name()),
                            "could not begin: " + plan.spec.redactor().describe(e)));
                }
            }
            return begun;
        }

        /** Runs each check once, records its result in {@code into}, and returns the new results. */
        private List<CheckResult> runChecks(List<Check> checks, StepContext ctx, List<CheckResult> into) {
            List<CheckResult> results = new ArrayList<>();
            for (Check c : checks) {
                Instant start = clock.instant();
                CheckResult r;
                try {
                    r = c.run(ctx);
                    if (r == null) {
                        r = CheckResult.failed(c.name(), "the check returned no result");
                    }
                } catch (Exception e) {
                    keepInterrupt(e);
                    r = CheckResult.failed(c.name(), plan.spec.redactor().describe(e));
                }
                r = r.named(c.name(), Duration.between(start, clock.instant()));
                List<CheckAttempt> history = r.history().stream().map(h -> new CheckAttempt(h.number(), h.at(),
                        h.passed(), plan.spec.redactor().redact(h.observed()), h.took())).toList();
                r = new CheckResult(plan.spec.redactor().redact(r.name()), r.passed(), plan.spec.redactor().redact(r.detail()),
                        r.attempts(), r.took(), history);
                results.add(r);
            }
            into.addAll(results);
            return results;
        }

        private void passOrFail(Stage stage, Instant at, List<CheckResult> results, String what) {
            List<CheckResult> failed = results.stream().filter(r -> !r.passed()).toList();
            if (failed.isEmpty()) {
                stage(stage, at, true, results.size() + " check" + (results.size() == 1 ? "" : "s") + " passed");
            } else {
                fail(stage, at, what + ": " + String.join("; ", failed.stream()
                        .map(r -> "check '" + r.name() + "' failed: " + r.detail()).toList()));
            }
        }

        private void cleanUp() {
            Instant at = clock.instant();
            List<String> ids = new ArrayList<>();
            ids.add(point.id());
            if (rollback != null && rollback.setAsidePointId() != null) {
                ids.add(rollback.setAsidePointId());
            }
            boolean safe = failedStage != Stage.ROLLBACK && failedStage != Stage.AFTER;
            if (keepPoints || !safe) {
                keptPoints.addAll(ids);
                stage(Stage.CLEANUP, at, true, "kept " + String.join(", ", ids) + (keepPoints ? " as asked"
                        : ": the rollback or an after-check failed, and they hold the state before the rollback"));
                return;
            }
            List<String> failures = new ArrayList<>();
            for (String id : ids) {
                try {
                    RestorePoint p = plan.store().get(id);
                    List<Problem> released = plan.delete(p);
                    deleted.add(id);
                    released.forEach(pr -> failures.add("restore point " + id + " deleted, but " + pr));
                } catch (RuntimeException e) {
                    keptPoints.add(id);
                    failures.add("could not delete restore point " + id + ": " + plan.spec.redactor().describe(e)
                            + "; delete it with plan.delete(plan.store().get(\"" + id + "\"))");
                }
            }
            problems.addAll(failures);
            stage(Stage.CLEANUP, at, failures.isEmpty(), failures.isEmpty() ? "deleted " + String.join(", ", deleted)
                    : String.join("; ", failures));
        }

        private void stage(Stage stage, Instant at, boolean passed, String detail) {
            stages.add(new StageRecord(stage, at, Duration.between(at, clock.instant()), passed,
                    plan.spec.redactor().redact(detail)));
        }

        private void fail(Stage stage, Instant at, String why) {
            String text = plan.spec.redactor().redact(why);
            stage(stage, at, false, text);
            if (failedStage == null) {
                failedStage = stage;
                reason = text;
            } else {
                problems.add(stage + ": " + text);
            }
        }

        private void keepInterrupt(Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
        }

        private DrillReport report() {
            return new DrillReport(drillId, plan.name(), changeName,
                    failedStage == null ? DrillReport.Outcome.PASSED : DrillReport.Outcome.FAILED, failedStage, reason,
                    point == null ? null : point.id(), label, startedAt, clock.instant(), stages, shown, goneResults,
                    kept, rollback, deleted, keptPoints, problems);
        }

        private DrillContext changeContext() {
            return EngineContext.of(plan.spec, drillId, point, null, changeName, null);
        }

        private StepContext checkContext() {
            return plan.engine.checkContext(drillId, "drill", point);
        }
    }

    private String of() {
        return "drill of plan '" + plan.name() + "'";
    }

    @Override
    public String toString() {
        return "Drill[" + plan.name() + ", change " + (changeName == null ? "none" : "'" + changeName + "'") + ", "
                + shows.size() + " shows, " + gone.size() + " gone, " + keeps.size() + " keeps"
                + (keepPoints ? ", keeping points" : "") + "]";
    }

}
