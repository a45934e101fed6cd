package dev.rollback.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.TestTemplate;

/**
 * Marks a test method of a {@link RollbackTest} class that is a rollback drill: for each plan named
 * in {@link #plans()}, the extension calls the drill method named by {@link #value()} with that plan
 * (change, shows, thenGone, keeps: a {@link dev.rollback.Drill}), runs the drill, and fails the test
 * with the drill record as Markdown if the drill failed or its rollback took longer than {@link
 * #recoversWithin()}. Then the test method's body runs, for assertions of its own; it may take the
 * {@link dev.rollback.DrillReport}. Each plan is an invocation of its own, with a store of its own.
 *
 * <p>The drill method is a method of the class returning {@link dev.rollback.Drill}; it takes the
 * plan of the invocation as a {@link dev.rollback.RollbackPlan} parameter (and may take any other
 * parameter a test may take). Its drill is run as it is: what it keeps with {@code keepPoints()} is
 * deleted after the test with the rest of the test's points.
 *
 * <pre>{@code
 * Drill banner(RollbackPlan plan) {
 *     return Drill.of(plan)
 *             .change("deploy the test banner", ctx -> Files.writeString(page, "DRILL " + ctx.drillId()))
 *             .shows(Check.of("banner shows", () -> Files.readString(page).contains("DRILL")))
 *             .keeps(Check.of("orders intact", () -> countOrders() == 2));
 * }
 *
 * @DrillTest(value = "banner", plans = {"shop-files", "shop-sqlite"}, recoversWithin = "PT30S")
 * void theBannerGoesAndTheOrdersStay(DrillReport drill) {
 *     assertThat(drill).lostNoData();
 * }
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
@TestTemplate
public @interface DrillTest {

    /**
     * The name of the method that makes the drill; unless set, the method of the test method's own
     * name that returns a {@link dev.rollback.Drill} (as JUnit's {@code @MethodSource} finds its
     * factory).
     */
    String value() default "";

    /**
     * The names of the declared plans to drill, one invocation each; unless set, the class's only
     * declared plan.
     */
    String[] plans() default {};

    /**
     * The longest the drill's rollback may take to recover, as an ISO-8601 duration such as {@code
     * PT5M} ({@link java.time.Duration#parse}); no bound unless set. Measured by the plan's clock.
     */
    String recoversWithin() default "";
}
