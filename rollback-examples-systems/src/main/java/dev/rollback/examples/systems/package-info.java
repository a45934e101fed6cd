/**
 * The scenario systems as runnable programs, each on real engines started on this machine: {@link
 * dev.rollback.examples.systems.BankrollExample} (scenario 000: git, MariaDB, an asset build), {@link
 * dev.rollback.examples.systems.BlogExample} (002: PostgreSQL, two projects, services in order), {@link
 * dev.rollback.examples.systems.TaylorDashExample} (003: a compose stack and the watchdog) and {@link
 * dev.rollback.examples.systems.GestimaExample} (004: SQLite, Alembic, the point of no return). They live apart
 * from the main example so that its first run downloads only the library.
 */
package dev.rollback.examples.systems;
