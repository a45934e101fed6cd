package dev.rollback.junit;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.util.List;
import java.util.Map;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;

/** Runs a fixture class on a real Jupiter engine, inside a test, and reads what happened to its tests. */
final class Kit {

    private Kit() {}

    static EngineExecutionResults run(Class<?> fixture, Map<String, String> parameters) {
        return EngineTestKit.engine("junit-jupiter").selectors(selectClass(fixture))
                .configurationParameters(parameters).execute();
    }

    /** The failure of the test (or drill invocation) whose unique id names {@code test}. */
    static Throwable failure(EngineExecutionResults results, String test) {
        List<Throwable> failures = results.testEvents().failed().stream().filter(e -> named(e, test))
                .map(e -> e.getPayload(TestExecutionResult.class).orElseThrow().getThrowable().orElseThrow()).toList();
        if (failures.size() != 1) {
            throw new AssertionError("expected one failure of test " + test + ", found " + failures.size() + ": "
                    + results.testEvents().failed().stream().map(e -> e.getTestDescriptor().getUniqueId()).toList());
        }
        return failures.get(0);
    }

    /** Every report entry the test published, in order. */
    static List<ReportEntry> entries(EngineExecutionResults results, String test) {
        return results.allEvents().reportingEntryPublished().stream().filter(e -> named(e, test))
                .map(e -> e.getPayload(ReportEntry.class).orElseThrow()).toList();
    }

    private static boolean named(Event e, String test) {
        return e.getTestDescriptor().getUniqueId().toString().contains("[method:" + test + "(")
                || e.getTestDescriptor().getUniqueId().toString().contains("[test-template:" + test + "(");
    }
}
