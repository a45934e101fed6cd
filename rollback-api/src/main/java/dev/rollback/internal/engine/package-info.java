/**
 * The engine behind {@code RollbackPlan}: not API, may change in any release. It reads a plan's immutable
 * {@link dev.rollback.internal.engine.PlanSpec} and nothing else of the plan; {@link
 * dev.rollback.internal.engine.Engine} is its entry, each rollback a {@code Run} split by job (layout, preview,
 * preflight, the executor loop, the actions of each kind of step, recovery, journal and resume, reports), and
 * {@link dev.rollback.internal.engine.EngineContext} what targets, steps and checks are handed. The store's write
 * side ({@link dev.rollback.internal.engine.StoreWriter}), journals, locks, manifests, listeners and progress live
 * here too. Only this package and the root package {@code dev.rollback} depend on each other.
 */
package dev.rollback.internal.engine;
