package dev.rollback.examples;

import dev.rollback.Check;
import dev.rollback.FailurePolicy;
import dev.rollback.RestorePoint;
import dev.rollback.Rollback;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackReport;
import dev.rollback.Step;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The main example: a rollback drill on embedded defaults. It installs a small web application in
 * a temp folder, captures a restore point, deploys a bad release (a visible banner and a broken
 * configuration), rolls it back, proves the page and health endpoint are back and the orders
 * written since the deploy survived, and prints the incident report.
 *
 * <pre>./mvnw -q -pl rollback-examples -am compile exec:java</pre>
 */
public final class DrillExample {

    private DrillExample() {}

    /** Runs the drill in a fresh temp folder and prints the report. */
    public static void main(String[] args) throws Exception {
        Path work = Files.createTempDirectory("rollback-drill-");
        RollbackReport report = drill(work);
        System.out.println(report.toMarkdown());
        System.out.println("Drill " + (report.isSuccessful() ? "passed" : "FAILED") + " in " + report.timeToRecover().toMillis()
                + " ms; the store is in " + work.resolve("store"));
        if (!report.isSuccessful()) {
            System.exit(1);
        }
    }

    /** Runs the drill in {@code work} and returns the report of the rollback. */
    public static RollbackReport drill(Path work) throws Exception {
        try (DemoApp app = DemoApp.install(work.resolve("app"))) {
            // tag::tour[]
            RollbackPlan plan = Rollback.plan("demo")
                    .store(work.resolve("store"))
                    .stop(Step.of("drain traffic", ctx -> ctx.progress("no new requests")))
                    .target(new ReleaseFiles("config", app.root(), "app.env"))
                    .target(new ReleaseFiles("frontend", app.root(), "public/index.html"))
                    .start(Step.of("resume traffic", ctx -> ctx.progress("accepting requests")))
                    .verify(Check.of("health answers 200", () -> app.status("/health") == 200))
                    .verify(Check.of("no test banner", () -> !app.body("/").contains("ROLLBACK TEST")))
                    .onFailure(FailurePolicy.RESTORE_FAILED_STATE)
                    .recoveryBudget(Duration.ofMinutes(3))
                    .secret("correct-horse-battery")
                    .build();

            RestorePoint before = plan.capture("v1.0.0");          // before the deploy
            // end::tour[]

            app.deployBadRelease();
            app.placeOrder("3,99.90");                             // users keep writing
            require(app.status("/health") == 500, "the bad release should fail its health check");
            require(app.body("/").contains("ROLLBACK TEST"), "the bad release should be visible");
            String ordersBefore = Files.readString(app.root().resolve("data/orders.csv"));

            // tag::rollback[]
            System.out.println(plan.preview(before));              // what will change, in order
            RollbackReport report = plan.rollback(before);         // put it all back, prove it
            // end::rollback[]

            require(!app.body("/").contains("ROLLBACK TEST"), "the test banner should be gone");
            require(Files.readString(app.root().resolve("data/orders.csv")).equals(ordersBefore),
                    "orders written after the deploy should survive the rollback");
            return report;
        }
    }

    private static void require(boolean condition, String what) {
        if (!condition) {
            throw new IllegalStateException("drill: " + what);
        }
    }
}
