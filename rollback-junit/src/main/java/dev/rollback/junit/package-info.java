/**
 * Rollback drills as JUnit 5 tests: the {@link dev.rollback.junit.RollbackTest} extension, which
 * gives each test a restore-point store in a temp folder and the plans the class declares with
 * {@link dev.rollback.junit.Plan}, runs {@link dev.rollback.junit.DrillTest}s as drills, deletes
 * every restore point the test made through its plan, and files the reports of a failed test; and
 * AssertJ assertions on {@link dev.rollback.RollbackReport}, {@link dev.rollback.DrillReport} and
 * {@link dev.rollback.WatchReport}, whose failure messages carry the whole report as Markdown, one
 * at a time ({@link dev.rollback.junit.RollbackAssertions}) or softly over several ({@link
 * dev.rollback.junit.RollbackSoftAssertions}).
 *
 * <p>Start at {@link dev.rollback.junit.RollbackTest}, whose documentation is a complete test class.
 */
package dev.rollback.junit;
