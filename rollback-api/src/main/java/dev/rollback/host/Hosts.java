package dev.rollback.host;

/**
 * Factories for hosts.
 *
 * <pre>{@code
 * RollbackPlan plan = Rollback.plan("app").on(Hosts.local())...build();
 * }</pre>
 */
public final class Hosts {

    private Hosts() {}

    /** This machine: commands through commons-exec, files through java.nio. */
    public static Host local() {
        return new LocalHost();
    }
}
