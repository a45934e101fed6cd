/**
 * Rollback drills as JUnit 5 tests: AssertJ assertions on {@link dev.rollback.RollbackReport},
 * {@link dev.rollback.DrillReport} and {@link dev.rollback.WatchReport}, whose failure messages
 * carry the whole report as Markdown.
 *
 * <p>Start at {@link dev.rollback.junit.RollbackAssertions#assertThat(dev.rollback.DrillReport)}.
 */
package dev.rollback.junit;
