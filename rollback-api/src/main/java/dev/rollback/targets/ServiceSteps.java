package dev.rollback.targets;

import dev.rollback.spi.Step;
import dev.rollback.spi.StepContext;
import dev.rollback.host.Command;
import java.util.ArrayList;
import java.util.List;

/**
 * The steps a {@link Service} makes, with the text that says what they do; they run in the context
 * the engine gives them, on the plan's clock and sleeper.
 *
 * <p>Immutable and thread-safe.
 */
final class ServiceSteps {

    private final Service service;

    ServiceSteps(Service service) {
        this.service = service;
    }

    List<String> describeStop() {
        String wait = "wait up to " + service.timeout.toSeconds() + " s";
        return switch (service.kind) {
            case SYSTEMD -> List.of("run: " + show(service.stopArgv), wait + " until '" + show(service.statusArgv)
                    + "' exits 3 (inactive); nothing to do if it already does");
            case COMMANDS -> List.of("run: " + show(service.stopArgv), wait + " until '" + show(service.statusArgv)
                    + "' exits non-zero (stopped); nothing to do if it already does");
            case PROCESS -> List.of("send SIGTERM to the process group whose pid is in " + service.pidFile
                    + "; nothing to do if it is not running", wait + " for it to end, then send SIGKILL and " + wait,
                    "remove " + service.pidFile);
        };
    }

    List<String> describeStart() {
        String wait = "wait up to " + service.timeout.toSeconds() + " s";
        String in = service.workDir == null ? "" : " in " + service.workDir;
        List<String> steps = new ArrayList<>(switch (service.kind) {
            case SYSTEMD -> List.of("run: " + show(service.startArgv), wait + " until '" + show(service.statusArgv)
                    + "' exits 0 (active); nothing to do if it already does");
            case COMMANDS -> List.of("run: " + show(service.startArgv) + in, wait + " until '" + show(service.statusArgv)
                    + "' exits 0 (running); nothing to do if it already does");
            case PROCESS -> List.of("start in the background, in its own session" + in + ": " + show(service.startArgv)
                    + " (output appended to " + service.logFile + "); nothing to do if it is running",
                    "write its pid to " + service.pidFile, wait + " until it is running");
        });
        if (service.readiness != null) {
            steps.add("then wait until it is ready: " + service.readiness.name() + (service.readiness instanceof
                    dev.rollback.check.HealthCheck h ? " (" + h.retry() + ")" : ""));
        }
        return steps;
    }

    static String show(List<String> argv) {
        return Command.of(argv).display();
    }

    /** A step made by a service: a name, its description, and its body. */
    record ServiceStep(String name, List<String> actions, Step.Body body) implements Step {

        ServiceStep {
            actions = List.copyOf(actions);
        }

        @Override
        public List<String> describe() {
            return actions;
        }

        @Override
        public void run(StepContext ctx) throws Exception {
            body.run(ctx);
        }

        @Override
        public String toString() {
            return "Step[" + name + "]";
        }
    }
}
