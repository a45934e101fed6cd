/**
 * Everything an adapter author needs to add a kind of target, step or check to a plan, and nothing else: this
 * package depends only on {@link dev.rollback.host} and the JDK (and the exceptions' root, {@link
 * dev.rollback.error.RollbackException}).
 *
 * <h2>Writing a target in one screen</h2>
 *
 * A {@link dev.rollback.spi.Target} captures its state into a restore point, says what a restore would do, puts
 * the state back, and checks it. The engine calls it in this order, each time with a context that gives the plan's
 * host, clock and progress ({@link dev.rollback.spi.TargetContext}):
 *
 * <ol>
 *   <li>{@link dev.rollback.spi.Target#capture capture}: copy what you need into {@link
 *       dev.rollback.spi.CaptureContext#artifactDir()} (every file left there becomes a checksummed {@link
 *       dev.rollback.spi.Artifact}) and return a {@link dev.rollback.spi.Snapshot} of the few values you will need
 *       to restore;</li>
 *   <li>{@link dev.rollback.spi.Target#preflight preflight}: before anything changes, return a {@link
 *       dev.rollback.spi.Problem} for each reason the restore cannot work (it names the target, what was expected,
 *       what was found and what to do); read the snapshot's values with {@link dev.rollback.spi.SnapshotFields} so
 *       that a damaged value is refused the same way everywhere;</li>
 *   <li>{@link dev.rollback.spi.Target#plan plan}: one line per action, shown in the preview;</li>
 *   <li>{@link dev.rollback.spi.Target#restore restore}: put the state back through {@link
 *       dev.rollback.spi.TargetContext#host()} (never {@code java.nio} directly: the plan may run on a server),
 *       reading artifacts with {@link dev.rollback.spi.RestoreContext#artifact}; the engine has already set the
 *       current state aside with your own {@code capture};</li>
 *   <li>{@link dev.rollback.spi.Target#verify verify}: a {@link dev.rollback.spi.CheckResult} saying whether the
 *       live state is what the snapshot describes.</li>
 * </ol>
 *
 * <pre>{@code
 * public final class MotdFile implements Target {
 *     private final String name;
 *     private final Path file;
 *
 *     public static MotdFile of(Path file) { return new MotdFile("motd", file); }
 *     private MotdFile(String name, Path file) { this.name = Names.requireName(name, "target name"); this.file = file; }
 *     public MotdFile named(String name) { return new MotdFile(name, file); }
 *
 *     public String name() { return name; }
 *     public TargetKind kind() { return TargetKind.FILES; }
 *
 *     public Snapshot capture(CaptureContext ctx) {
 *         ctx.host().copy(file, ctx.artifactDir().resolve("motd"));
 *         return Snapshot.of(Map.of("file", file.toString()));
 *     }
 *     public List<String> plan(Snapshot s, RestoreContext ctx) {
 *         return List.of("put back " + file);
 *     }
 *     public void restore(Snapshot s, RestoreContext ctx) {
 *         ctx.host().write(file, ctx.host().read(ctx.artifact(s, "motd")));
 *     }
 *     public CheckResult verify(Snapshot s, RestoreContext ctx) {
 *         boolean same = Arrays.equals(ctx.host().read(file), ctx.host().read(ctx.artifact(s, "motd")));
 *         return same ? CheckResult.passed("verify " + name, file + " restored")
 *                     : CheckResult.failed("verify " + name, file + " differs from the restore point");
 *     }
 * }
 * }</pre>
 *
 * A target that keeps something outside the store (a clone database, an image tag) names it after {@link
 * dev.rollback.spi.CaptureContext#pointId()} and gives it back in {@link dev.rollback.spi.Target#release}; one
 * whose restore can lose data written after the point says so in {@link dev.rollback.spi.Target#dataAtRisk}.
 * Configure it the way every target is configured: a factory {@code of(..)}, {@code named(..)}, {@code only(..)},
 * {@code verifiedBy(..)} (see the project's contributing guide). Check it against a real plan with the testing kit
 * ({@code dev.rollback.testing}): a {@code TestStepContext} and a {@code TestClock} run it without an engine.
 *
 * <p>A {@link dev.rollback.spi.Step} is one action in a phase of the rollback (drain traffic, clear a cache) and a
 * {@link dev.rollback.spi.Check} a condition that proves recovery; both get a {@link
 * dev.rollback.spi.StepContext}, whose {@link dev.rollback.spi.StepContext#point()} describes the restore point as
 * a {@link dev.rollback.spi.PointInfo}.
 */
package dev.rollback.spi;
