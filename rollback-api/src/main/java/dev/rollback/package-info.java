/**
 * Rollback orchestration: capture a restore point before a deploy, preview and run a rollback in a
 * fixed order, prove recovery, and report what happened and how long it took.
 *
 * <p>Start at {@link dev.rollback.Rollback#plan(String)}. Targets are added through {@link
 * dev.rollback.spi.Target}; restore points live in a {@link dev.rollback.RestorePointStore}.
 */
package dev.rollback;
