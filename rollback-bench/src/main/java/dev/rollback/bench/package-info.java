/** Benchmarks of the engine and the targets, run by {@code run.sh}; never deployed. */
package dev.rollback.bench;
