package dev.rollback.spi;

import java.util.List;
import java.util.Objects;

/**
 * A named action that a plan runs as one step of a rollback: stopping or starting a service, or a
 * hook before or after a phase or a target (rebuild the front-end once the code is back, tell the
 * on-call channel). Each step appears in the preview and in the report with its timing.
 *
 * <p>Implementations must be thread-safe or immutable. Steps made by {@link #of} are as
 * thread-safe as their body.
 *
 * <pre>{@code
 * Step rebuild = Step.of("rebuild assets", ctx -> assets.rebuild());
 * }</pre>
 */
public interface Step {

    /** The body of a step made by {@link #of}. */
    @FunctionalInterface
    interface Body {
        /** Does the work; any exception fails the step. */
        void run(StepContext ctx) throws Exception;
    }

    /** The name shown in previews, reports and logs. */
    String name();

    /** What the step will do, as sentences a person can read; by default its name. */
    default List<String> describe() {
        return List.of(name());
    }

    /** Does the work; any exception fails the step and goes to the plan's failure policy. */
    void run(StepContext ctx) throws Exception;

    /** A step with the given name and body. */
    static Step of(String name, Body body) {
        Objects.requireNonNull(body, "body");
        String checked = Names.requireText(name, "step name");
        return new Step() {
            @Override
            public String name() {
                return checked;
            }

            @Override
            public void run(StepContext ctx) throws Exception {
                body.run(ctx);
            }

            @Override
            public String toString() {
                return "Step[" + checked + "]";
            }
        };
    }
}
