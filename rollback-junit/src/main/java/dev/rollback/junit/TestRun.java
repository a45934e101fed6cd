package dev.rollback.junit;

import dev.rollback.Drill;
import dev.rollback.DrillReport;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackPlanBuilder;
import dev.rollback.RollbackReport;
import dev.rollback.WatchReport;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;
import org.junit.platform.commons.support.HierarchyTraversalMode;
import org.junit.platform.commons.support.ReflectionSupport;

/**
 * What one test (one invocation of a drill) has: the store it uses, the plans built for it, the drill it ran and
 * the reports filed. Used by the thread that runs the test; the filed reports are thread-safe.
 */
final class TestRun {

    final StoreScope scope;
    final TestReports reports = new TestReports();
    /** The rollbacks already in the store when the test started: a store shared by the class has earlier ones. */
    private final Set<String> earlierRollbacks;
    private Map<String, RollbackPlan> plans;
    private boolean building;
    private DrillReport drill;

    TestRun(StoreScope scope) {
        this.scope = scope;
        this.earlierRollbacks = scope.rollbackIds();
    }

    /** The plans the test class declares with {@link Plan}, built against the store on first use. */
    Map<String, RollbackPlan> plans(ExtensionContext ctx) {
        if (plans != null) {
            return plans;
        }
        if (building) {
            throw new ExtensionConfigurationException(where(ctx) + ": expected @Plan declarations that do not take "
                    + "a RollbackPlan, found one that does while the plans were being built; give the plan method "
                    + "the store or the folder it needs instead");
        }
        building = true;
        try {
            Map<String, RollbackPlan> built = new LinkedHashMap<>();
            for (Object instance : ctx.getRequiredTestInstances().getAllInstances()) {
                for (Method m : AnnotationSupport.findAnnotatedMethods(instance.getClass(), Plan.class,
                        HierarchyTraversalMode.TOP_DOWN)) {
                    if (!RollbackPlanBuilder.class.equals(m.getReturnType()) || Modifier.isStatic(m.getModifiers())) {
                        throw new ExtensionConfigurationException("@Plan method " + m.getDeclaringClass()
                                .getSimpleName() + "." + m.getName() + ": expected an instance method returning "
                                + "RollbackPlanBuilder, found " + (Modifier.isStatic(m.getModifiers()) ? "a static one"
                                : "one returning " + m.getReturnType().getSimpleName()) + "; return Rollback.plan"
                                + "(\"name\")... without build()");
                    }
                    Object builder = ctx.getExecutableInvoker().invoke(m, instance);
                    add(built, build(builder, "method " + m.getName(), ctx));
                }
                for (Field f : AnnotationSupport.findAnnotatedFields(instance.getClass(), Plan.class)) {
                    if (!RollbackPlanBuilder.class.equals(f.getType()) || Modifier.isStatic(f.getModifiers())) {
                        throw new ExtensionConfigurationException("@Plan field " + f.getDeclaringClass()
                                .getSimpleName() + "." + f.getName() + ": expected an instance field of type "
                                + "RollbackPlanBuilder, found " + (Modifier.isStatic(f.getModifiers()) ? "a static one"
                                : "one of type " + f.getType().getSimpleName()) + "; declare the builder, not the plan");
                    }
                    Object builder = ReflectionSupport.tryToReadFieldValue(f, instance).toOptional().orElse(null);
                    add(built, build(builder, "field " + f.getName(), ctx));
                }
            }
            plans = Map.copyOf(built);
            return plans;
        } finally {
            building = false;
        }
    }

    private RollbackPlan build(Object builder, String source, ExtensionContext ctx) {
        if (builder == null) {
            throw new ExtensionConfigurationException(where(ctx) + ": expected @Plan " + source + " to hold a "
                    + "RollbackPlanBuilder, found null; set it before the test uses a plan (in a @BeforeEach method, "
                    + "say), or return Rollback.plan(\"name\")...");
        }
        RollbackPlanBuilder b = ((RollbackPlanBuilder) builder).store(scope.store());
        if (scope.clock() != null) {
            b.clock(scope.clock()).sleeper(scope.sleeper());
        }
        RollbackPlan plan = b.build();
        scope.register(plan);
        return plan;
    }

    private static void add(Map<String, RollbackPlan> built, RollbackPlan plan) {
        if (built.putIfAbsent(plan.name(), plan) != null) {
            throw new ExtensionConfigurationException("@Plan: expected each declared plan to have a name of its own, "
                    + "found plan '" + plan.name() + "' twice; give each Rollback.plan(..) its own name");
        }
    }

    /** The plan a parameter takes: the one it names, the drill invocation's, or the only one declared. */
    RollbackPlan plan(String named, String ofInvocation, ExtensionContext ctx) {
        Map<String, RollbackPlan> all = plans(ctx);
        String name = named != null && !named.isBlank() ? named.strip() : ofInvocation;
        if (name != null) {
            RollbackPlan plan = all.get(name);
            if (plan == null) {
                throw new ExtensionConfigurationException(where(ctx) + ": expected a plan named '" + name
                        + "' declared with @Plan, found " + (all.isEmpty() ? "none" : "only " + all.keySet())
                        + "; declare it, or correct the name");
            }
            return plan;
        }
        if (all.size() != 1) {
            throw new ExtensionConfigurationException(where(ctx) + ": expected one plan declared with @Plan, found "
                    + (all.isEmpty() ? "none; declare one with a @Plan method returning Rollback.plan(\"name\")..."
                    : all.size() + " " + all.keySet().stream().sorted().toList() + "; pick one with @Plan(\"name\") on "
                    + "the parameter"));
        }
        return all.values().iterator().next();
    }

    /** The drill of a {@link DrillTest} invocation, run on first use. */
    DrillReport drill(DrillTest test, ExtensionContext ctx) {
        if (drill != null) {
            return drill;
        }
        Method testMethod = ctx.getRequiredTestMethod();
        String name = test.value().isBlank() ? testMethod.getName() : test.value().strip();
        List<Method> found = ReflectionSupport.findMethods(ctx.getRequiredTestClass(),
                m -> m.getName().equals(name) && Drill.class.equals(m.getReturnType())
                        && !Modifier.isStatic(m.getModifiers()), HierarchyTraversalMode.BOTTOM_UP);
        if (found.size() != 1) {
            throw new ExtensionConfigurationException("@DrillTest " + ctx.getRequiredTestClass().getSimpleName() + "."
                    + testMethod.getName() + ": expected one instance method '" + name + "' returning Drill in "
                    + ctx.getRequiredTestClass().getSimpleName() + ", found " + found.size() + "; write "
                    + "Drill " + name + "(RollbackPlan plan) { return Drill.of(plan).change(..).shows(..); }");
        }
        Method factory = found.get(0);
        Object instance = ctx.getRequiredTestInstances().findInstance(factory.getDeclaringClass())
                .map(Object.class::cast).orElse(ctx.getRequiredTestInstance());
        Object made = ctx.getExecutableInvoker().invoke(factory, instance);
        if (made == null) {
            throw new ExtensionConfigurationException("@DrillTest " + testMethod.getName() + ": expected method '"
                    + name + "' to return a drill, found null; return Drill.of(plan).change(..).shows(..)");
        }
        drill = ((Drill) made).run();
        return drill;
    }

    /**
     * The test's reports, in order: its drill, what it filed, then the rollbacks of the store it did not file
     * already (a drill's and a watch's rollbacks are in their own reports).
     */
    List<Object> reports() {
        List<Object> out = new ArrayList<>();
        if (drill != null) {
            out.add(drill);
        }
        out.addAll(reports.filed());
        Set<String> shown = new LinkedHashSet<>(earlierRollbacks);
        for (Object r : out) {
            RollbackReport rollback = r instanceof DrillReport d ? d.rollback()
                    : r instanceof WatchReport w ? w.rollback() : (RollbackReport) r;
            if (rollback != null) {
                shown.add(rollback.rollbackId());
            }
        }
        for (RollbackReport r : scope.rollbacks()) {
            if (shown.add(r.rollbackId())) {
                out.add(r);
            }
        }
        return out;
    }

    private static String where(ExtensionContext ctx) {
        return "rollback test " + ctx.getRequiredTestClass().getSimpleName()
                + ctx.getTestMethod().map(m -> "." + m.getName()).orElse("");
    }
}
