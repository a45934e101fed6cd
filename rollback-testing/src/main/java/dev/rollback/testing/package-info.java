/**
 * The testing kit: what this library's own tests use, published so that anyone writing a {@code Target} or a
 * {@code Host} outside this repository tests it the same way.
 *
 * <ul>
 *   <li>{@link dev.rollback.testing.HostContract}: the contract every {@code Host} must meet, as JUnit 5 tests;
 *       subclass it with your host and a folder on it.</li>
 *   <li>{@link dev.rollback.testing.ForwardingHost}: a host that passes every call to another, for overriding one
 *       operation to inject a fault the real host cannot produce on demand.</li>
 *   <li>{@link dev.rollback.testing.TestClock}: a clock that moves only when told to;
 *       {@link dev.rollback.testing.TestStepContext}: a step context on that clock whose sleeps take no time.</li>
 *   <li>{@link dev.rollback.testing.MemoryTarget} and {@link dev.rollback.testing.FileTarget}: small targets for
 *       testing plans, with switchable faults.</li>
 *   <li>{@link dev.rollback.testing.Trees}: a fingerprint of a folder, to prove nothing changed.</li>
 *   <li>{@link dev.rollback.testing.Requirements}: a test that needs something the machine may lack skips with a
 *       visible message, or fails where {@code ROLLBACK_REQUIRE_ALL=true}.</li>
 *   <li>{@link dev.rollback.testing.ApiCheck}: a build check that a module's public signatures mention none of its
 *       {@code .internal} types.</li>
 *   <li>{@code dev.rollback.testing.db}: real PostgreSQL and MariaDB servers for tests (optional dependencies).</li>
 * </ul>
 *
 * <pre>{@code
 * class MyHostContractTest extends HostContract {
 *     @TempDir Path dir;
 *     protected Host host() { return myHost; }
 *     protected Path dir() { return dir; }
 * }
 * }</pre>
 */
package dev.rollback.testing;
