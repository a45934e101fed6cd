package dev.rollback.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a field of type {@link dev.rollback.RestorePointStore} of a {@link RollbackTest} class that
 * the extension sets to the test's store before each test (before its {@code @BeforeEach} methods).
 * A parameter of that type needs no annotation.
 *
 * <pre>{@code
 * @TestStore
 * RestorePointStore store;
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
public @interface TestStore {
}
