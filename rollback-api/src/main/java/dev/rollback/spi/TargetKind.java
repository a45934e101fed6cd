package dev.rollback.spi;

/**
 * What kind of thing a {@link dev.rollback.spi.Target} puts back. The kind is informational: it
 * groups targets in reports and lets tools filter them; it never changes the order in which a plan
 * runs (that order is the order of declaration, see {@link dev.rollback.RollbackPlanBuilder}).
 */
public enum TargetKind {
    /** Application code: a git working tree, a release directory. */
    CODE,
    /** A database and its schema migrations. */
    DATABASE,
    /** Configuration files: {@code .env}, JSON, YAML, properties. */
    CONFIG,
    /** Container images, containers and compose services. */
    CONTAINER,
    /** Plain files and directories. */
    FILES,
    /** A running service that is stopped and started around a restore. */
    SERVICE,
    /** Where traffic goes: a blue-green switch, a load balancer's upstream. */
    TRAFFIC
}
