package dev.rollback.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares a plan of a {@link RollbackTest} class, or picks one where a plan is taken.
 *
 * <p>On a method returning a {@link dev.rollback.RollbackPlanBuilder}, or a field holding one (set
 * in a {@code @BeforeEach} method, say): the extension builds it for each test against the test's
 * store, replacing any store the builder was given, and with {@link RollbackTest#testClock()} on
 * the test clock and its sleeper, replacing the builder's. The method may take parameters ({@code
 * RestorePointStore}, {@code TestClock}, a {@code @TempDir} folder). The plan's name is the one
 * given to {@link dev.rollback.Rollback#plan(String)}; two declared plans may not share one.
 *
 * <p>On a parameter of type {@link dev.rollback.RollbackPlan}: {@code @Plan("shop")} picks the
 * declared plan named {@code shop}. A parameter without it takes the only declared plan (or, in a
 * {@link DrillTest}, the plan of the invocation).
 *
 * <pre>{@code
 * @Plan
 * RollbackPlanBuilder shop() {
 *     return Rollback.plan("shop").target(ConfigFiles.of(dir.resolve("app.env")));
 * }
 *
 * @Test
 * void shouldPutTheConfigBack(@Plan("shop") RollbackPlan plan) { ... }
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.FIELD, ElementType.PARAMETER})
public @interface Plan {

    /** On a parameter, the name of the plan it takes; empty (the default) on a declaration. */
    String value() default "";
}
