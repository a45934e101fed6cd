package dev.rollback.junit;

import dev.rollback.DrillReport;
import dev.rollback.RestorePointStore;
import dev.rollback.RollbackPlan;
import dev.rollback.Sleeper;
import dev.rollback.testing.TestClock;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;
import org.junit.jupiter.api.extension.TestTemplateInvocationContext;
import org.junit.jupiter.api.extension.TestTemplateInvocationContextProvider;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * The JUnit 5 extension behind {@link RollbackTest}: a restore-point store per test (or per class)
 * in a temp folder, the class's {@link Plan}s built against it, {@link DrillTest}s run as drills,
 * every restore point deleted through its plan after the test, and the reports of a failed test
 * filed. {@link RollbackTest} says what it does and shows a complete test class; register it with
 * that annotation, or with {@code @ExtendWith(RollbackExtension.class)} to take every default.
 *
 * <p>After each test (after the class, for a store per class) every restore point in the store is
 * deleted with {@link RollbackPlan#delete} of the plan that made it, which also releases what its
 * targets keep outside the store; a rollback the test left unfinished is first closed with {@link
 * dev.rollback.Resume#abandoning()}, changing nothing more. A point that cannot be deleted, or a
 * target that cannot release, fails the test, naming what is left. Then the temp folder goes.
 *
 * <p>Reports are filed as {@code TestReporter} entries (one per report, its Markdown) and as one
 * Markdown file per test in {@code target/rollback-reports/} (the JUnit configuration parameter
 * {@value #REPORTS_DIR} names another folder), called after the test: {@code
 * ShopTest.shouldRollBack.md}, or {@code ShopTest.bannerDrill[shop-files].md} for a drill of one
 * plan. A test that ran no rollback, drill or watch files nothing.
 *
 * <p>Stateless: what a test has lives in JUnit's store of that test, so tests running in parallel
 * never share a store (unless the class asked for one store per class).
 */
public final class RollbackExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback,
        AfterEachCallback, ParameterResolver, TestTemplateInvocationContextProvider, InvocationInterceptor {

    /** The JUnit configuration parameter naming the folder of the Markdown reports. */
    public static final String REPORTS_DIR = "rollback.junit.reports.dir";

    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(RollbackExtension.class);
    private static final String CLASS_SCOPE = "class store";
    private static final String RUN = "test run";
    private static final String INVOCATION_PLAN = "drill plan";

    /** Made by JUnit, from {@link RollbackTest} or {@code @ExtendWith}. */
    public RollbackExtension() {}

    @Override
    public void beforeAll(ExtensionContext ctx) {
        if (config(ctx).store() == RollbackTest.StorePer.CLASS && own(ctx, CLASS_SCOPE) == null) {
            ctx.getStore(NS).put(CLASS_SCOPE, StoreScope.open(config(ctx).testClock()));
        }
    }

    @Override
    public void afterAll(ExtensionContext ctx) {
        StoreScope scope = own(ctx, CLASS_SCOPE);
        if (scope != null) {
            ctx.getStore(NS).remove(CLASS_SCOPE);
            finish(ctx, scope.cleanUp(), scope);
        }
    }

    @Override
    public void beforeEach(ExtensionContext ctx) {
        RollbackTest config = config(ctx);
        StoreScope scope = config.store() == RollbackTest.StorePer.CLASS
                ? ctx.getStore(NS).get(CLASS_SCOPE, StoreScope.class) : null;
        if (scope == null) {
            scope = StoreScope.open(config.testClock());
        }
        TestRun run = new TestRun(scope);
        ctx.getStore(NS).put(RUN, run);
        for (Object instance : ctx.getRequiredTestInstances().getAllInstances()) {
            for (Field f : AnnotationSupport.findAnnotatedFields(instance.getClass(), TestStore.class)) {
                if (!RestorePointStore.class.equals(f.getType()) || Modifier.isStatic(f.getModifiers())
                        || Modifier.isFinal(f.getModifiers())) {
                    throw new ExtensionConfigurationException("@TestStore field " + f.getDeclaringClass()
                            .getSimpleName() + "." + f.getName() + ": expected a non-final instance field of type "
                            + "RestorePointStore, found a " + Modifier.toString(f.getModifiers()) + " "
                            + f.getType().getSimpleName() + " field; declare it as RestorePointStore store;");
                }
                try {
                    f.setAccessible(true);
                    f.set(instance, scope.store());
                } catch (ReflectiveOperationException | RuntimeException e) {
                    throw new ExtensionConfigurationException("@TestStore field " + f.getName() + ": could not be "
                            + "set (" + e + "); make it a plain instance field of the test class", e);
                }
            }
        }
    }

    @Override
    public void afterEach(ExtensionContext ctx) {
        TestRun run = own(ctx, RUN);
        if (run == null) {
            return;
        }
        ctx.getStore(NS).remove(RUN);
        Optional<Throwable> failure = ctx.getExecutionException();
        RuntimeException filing = null;
        if (failure.isPresent() || config(ctx).reports() == RollbackTest.FileReports.ALWAYS) {
            try {
                ReportFiling.file(ctx, run.reports(), reportsDir(ctx), testName(ctx), failure.orElse(null));
            } catch (RuntimeException e) {
                filing = e; // the points are deleted all the same
            }
        }
        if (!isClassScope(ctx, run.scope)) {
            finish(ctx, run.scope.cleanUp(), run.scope);
        }
        if (filing != null) {
            throw filing;
        }
    }

    private boolean isClassScope(ExtensionContext ctx, StoreScope scope) {
        return scope == ctx.getStore(NS).get(CLASS_SCOPE, StoreScope.class);
    }

    private static void finish(ExtensionContext ctx, StoreScope.Cleanup cleanup, StoreScope scope) {
        for (String warning : cleanup.warnings()) {
            ctx.publishReportEntry("rollback cleanup", warning);
        }
        if (!cleanup.problems().isEmpty()) {
            throw new AssertionError("store " + scope.store().root() + ": expected every restore point of the test "
                    + "deleted with what its targets keep outside the store, found " + cleanup.problems().size()
                    + " problem" + (cleanup.problems().size() == 1 ? "" : "s") + ": "
                    + String.join("; ", cleanup.problems()) + "; remove what they name by hand");
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext param, ExtensionContext ctx) {
        Class<?> type = param.getParameter().getType();
        if (type == DrillReport.class) {
            return param.getDeclaringExecutable() instanceof Method m && m.isAnnotationPresent(DrillTest.class);
        }
        return type == RestorePointStore.class || type == RollbackPlan.class || type == TestClock.class
                || type == Sleeper.class || type == TestReports.class;
    }

    @Override
    public Object resolveParameter(ParameterContext param, ExtensionContext ctx) {
        Class<?> type = param.getParameter().getType();
        TestRun run = ctx.getStore(NS).get(RUN, TestRun.class);
        StoreScope scope = run != null ? run.scope : ctx.getStore(NS).get(CLASS_SCOPE, StoreScope.class);
        if (scope == null) {
            throw new ParameterResolutionException("rollback test " + ctx.getRequiredTestClass().getSimpleName()
                    + ": expected a " + type.getSimpleName() + " parameter of a test, @BeforeEach, @AfterEach, @Plan "
                    + "or drill method, found one of " + param.getDeclaringExecutable().getName() + "; take it there, "
                    + "or ask for one store per class (@RollbackTest(store = StorePer.CLASS)) to have it in @BeforeAll");
        }
        if (type == RestorePointStore.class) {
            return scope.store();
        }
        if (type == Sleeper.class) {
            return scope.sleeper();
        }
        if (type == TestClock.class) {
            if (scope.clock() == null) {
                throw new ParameterResolutionException("rollback test " + ctx.getRequiredTestClass().getSimpleName()
                        + ": expected a test clock for parameter " + param.getParameter().getName() + ", found the "
                        + "plans on the system clock; ask for it with @RollbackTest(testClock = true)");
            }
            return scope.clock();
        }
        if (run == null) {
            throw new ParameterResolutionException("rollback test " + ctx.getRequiredTestClass().getSimpleName()
                    + ": expected a " + type.getSimpleName() + " parameter of a test, @BeforeEach, @AfterEach, @Plan "
                    + "or drill method, found one of " + param.getDeclaringExecutable().getName());
        }
        if (type == TestReports.class) {
            return run.reports;
        }
        if (type == RollbackPlan.class) {
            String named = param.findAnnotation(Plan.class).map(Plan::value).orElse(null);
            return run.plan(named, invocationPlan(ctx), ctx);
        }
        return runDrill(run, ctx);
    }

    @Override
    public boolean supportsTestTemplate(ExtensionContext ctx) {
        return ctx.getTestMethod().map(m -> m.isAnnotationPresent(DrillTest.class)).orElse(false);
    }

    @Override
    public Stream<TestTemplateInvocationContext> provideTestTemplateInvocationContexts(ExtensionContext ctx) {
        DrillTest test = ctx.getRequiredTestMethod().getAnnotation(DrillTest.class);
        bound(test, ctx); // a bad bound is refused before any drill runs
        if (test.plans().length == 0) {
            return Stream.of(invocation(null));
        }
        Set<String> names = new LinkedHashSet<>();
        for (String name : test.plans()) {
            if (name == null || name.isBlank() || !names.add(name.strip())) {
                throw new ExtensionConfigurationException("@DrillTest " + ctx.getRequiredTestMethod().getName()
                        + ": expected distinct plan names in plans, found " + List.of(test.plans()) + "; name each "
                        + "declared plan once");
            }
        }
        return names.stream().map(RollbackExtension::invocation);
    }

    private static TestTemplateInvocationContext invocation(String plan) {
        return new TestTemplateInvocationContext() {
            @Override
            public String getDisplayName(int index) {
                return plan == null ? "drill" : "drill of plan '" + plan + "'";
            }

            @Override
            public void prepareInvocation(ExtensionContext ctx) {
                if (plan != null) {
                    ctx.getStore(NS).put(INVOCATION_PLAN, plan);
                }
            }
        };
    }

    @Override
    public void interceptTestTemplateMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> call,
            ExtensionContext ctx) throws Throwable {
        DrillTest test = call.getExecutable().getAnnotation(DrillTest.class);
        if (test == null) {
            invocation.proceed();
            return;
        }
        TestRun run = ctx.getStore(NS).get(RUN, TestRun.class);
        DrillReport report;
        try {
            report = runDrill(run, ctx);
            DrillReportAssert drill = RollbackAssertions.assertThat(report).passed();
            Duration bound = bound(test, ctx);
            if (bound != null) {
                drill.recoveredWithin(bound);
            }
        } catch (Throwable t) {
            invocation.skip();
            throw t;
        }
        invocation.proceed();
    }

    private DrillReport runDrill(TestRun run, ExtensionContext ctx) {
        DrillTest test = ctx.getRequiredTestMethod().getAnnotation(DrillTest.class);
        if (invocationPlan(ctx) == null) {
            run.plan(null, null, ctx); // a drill of the only plan: refuses a class that declares none or several
        }
        return run.drill(test, ctx);
    }

    /** The plan of the drill invocation, or null outside a drill or for a drill of the only plan. */
    private static String invocationPlan(ExtensionContext ctx) {
        return ctx.getStore(NS).get(INVOCATION_PLAN, String.class);
    }

    private static Duration bound(DrillTest test, ExtensionContext ctx) {
        if (test.recoversWithin().isBlank()) {
            return null;
        }
        try {
            Duration d = Duration.parse(test.recoversWithin().strip());
            if (d.isNegative() || d.isZero()) {
                throw new DateTimeParseException("not positive", test.recoversWithin(), 0);
            }
            return d;
        } catch (DateTimeParseException e) {
            throw new ExtensionConfigurationException("@DrillTest " + ctx.getRequiredTestMethod().getName()
                    + ": expected recoversWithin as a positive ISO-8601 duration, found '" + test.recoversWithin()
                    + "'; give one such as \"PT5M\" (5 minutes) or \"PT30S\"", e);
        }
    }

    /** The class's {@link RollbackTest}, from it or a class enclosing it; the defaults without one. */
    private static RollbackTest config(ExtensionContext ctx) {
        for (Class<?> c = ctx.getRequiredTestClass(); c != null; c = c.getEnclosingClass()) {
            Optional<RollbackTest> found = AnnotationSupport.findAnnotation(c, RollbackTest.class);
            if (found.isPresent()) {
                return found.get();
            }
        }
        return Defaults.class.getAnnotation(RollbackTest.class);
    }

    /** Carries the defaults of {@link RollbackTest} for a class registered with {@code @ExtendWith} alone. */
    @RollbackTest
    private static final class Defaults {}

    /** A value put in this context's own store, not one inherited from an enclosing context. */
    private static <T> T own(ExtensionContext ctx, String key) {
        Object here = ctx.getStore(NS).get(key);
        Object above = ctx.getParent().map(p -> p.getStore(NS).get(key)).orElse(null);
        @SuppressWarnings("unchecked")
        T value = here != null && here != above ? (T) here : null;
        return value;
    }

    private static Path reportsDir(ExtensionContext ctx) {
        return ctx.getConfigurationParameter(REPORTS_DIR).filter(s -> !s.isBlank()).map(Path::of)
                .orElse(Path.of("target", "rollback-reports"));
    }

    /** The test's name for its report file: class, method, and the plan or number of a drill's invocation. */
    private static String testName(ExtensionContext ctx) {
        String cls = ctx.getRequiredTestClass().getName();
        String pkg = ctx.getRequiredTestClass().getPackageName();
        StringBuilder name = new StringBuilder(pkg.isEmpty() ? cls : cls.substring(pkg.length() + 1));
        ctx.getTestMethod().ifPresent(m -> name.append('.').append(m.getName()));
        String plan = invocationPlan(ctx);
        String id = ctx.getUniqueId();
        if (plan != null) {
            name.append('[').append(plan).append(']');
        } else if (id.contains("test-template-invocation:#")) {
            name.append('[').append(id.substring(id.lastIndexOf('#') + 1).replace("]", "")).append(']');
        }
        return name.toString().replaceAll("[^A-Za-z0-9._\\[\\]$-]", "_");
    }

    @Override
    public String toString() {
        return "RollbackExtension";
    }
}
