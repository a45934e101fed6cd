package dev.rollback.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a JUnit 5 test class whose tests roll back: the {@link RollbackExtension} gives each test
 * (or the class, as {@link #store()} says) a fresh {@link dev.rollback.RestorePointStore} in a temp
 * folder, builds the plans the class declares with {@link Plan} against it, runs {@link DrillTest}
 * methods as drills, deletes every restore point the test made through its plan's own {@link
 * dev.rollback.RollbackPlan#delete delete} (so what targets keep outside the store, such as clone
 * databases and image pins, goes too), and files the rollback, drill and watch reports of a test
 * that failed (or of every test, {@link #reports()}) as {@code TestReporter} entries and as a
 * Markdown file under {@code target/rollback-reports/}, named after the test.
 *
 * <p>What a test, a {@code @BeforeEach} method or a {@link Plan} method may take as a parameter:
 * {@link dev.rollback.RestorePointStore} (the store), {@link dev.rollback.RollbackPlan} (the plan
 * the class declares; {@code @Plan("name")} picks one of several), {@link
 * dev.rollback.testing.TestClock} (with {@link #testClock()}), {@link dev.rollback.Sleeper} (how
 * the plans wait), {@link TestReports} (to file reports of drills and watches the test runs
 * itself), and in a {@link DrillTest} the {@link dev.rollback.DrillReport} of its drill. A field
 * annotated {@link TestStore} is given the store.
 *
 * <pre>{@code
 * import static dev.rollback.junit.RollbackAssertions.assertThat;
 *
 * @RollbackTest
 * class ShopRollbackTest {
 *
 *     @TempDir
 *     Path dir;
 *
 *     @Plan
 *     RollbackPlanBuilder shop() {                      // built against the test's store
 *         return Rollback.plan("shop")
 *                 .target(DirectoryBackup.of(dir.resolve("www")).named("page"))
 *                 .target(ConfigFiles.of(dir.resolve("app.env")).named("config"));
 *     }
 *
 *     @BeforeEach
 *     void release() throws IOException {
 *         Files.createDirectories(dir.resolve("www"));
 *         Files.writeString(dir.resolve("www/index.html"), "<h1>Shop v1.0.0</h1>\n");
 *         Files.writeString(dir.resolve("app.env"), "MODE=production\n");
 *     }
 *
 *     @Test
 *     void shouldPutThePageAndTheConfigBack(RollbackPlan shop) throws IOException {
 *         RestorePoint before = shop.capture("v1.0.0");
 *         Files.writeString(dir.resolve("www/index.html"), "<h1>Shop v2.0.0: error 500</h1>\n");
 *
 *         assertThat(shop.rollback(before)).succeeded()
 *                 .targetState("page", TargetState.VERIFIED).setAside("page");
 *         assertThat(dir.resolve("www/index.html")).hasContent("<h1>Shop v1.0.0</h1>");
 *     }                                                 // the points are deleted after the test
 *
 *     Drill banner(RollbackPlan shop) {
 *         Path page = dir.resolve("www/index.html");
 *         return Drill.of(shop)
 *                 .change("deploy the test banner", ctx -> Files.writeString(page, "DRILL " + ctx.drillId()))
 *                 .shows(Check.of("banner shows", () -> Files.readString(page).contains("DRILL")))
 *                 .thenGone(Check.of("v1.0.0 is back", () -> Files.readString(page).contains("v1.0.0")))
 *                 .keeps(Check.of("config intact", () -> Files.readString(dir.resolve("app.env"))
 *                         .equals("MODE=production\n")));
 *     }
 *
 *     @DrillTest(value = "banner", recoversWithin = "PT1M")   // fails with the drill record if it fails
 *     void theBannerGoesAndTheConfigStays(DrillReport drill) {
 *         assertThat(drill).lostNoData();
 *     }
 * }
 * }</pre>
 *
 * <p>Put it on the class; {@code @ExtendWith(RollbackExtension.class)} alone is the same with
 * every option at its default. Tests of a class may run in parallel: each has its own store.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@ExtendWith(RollbackExtension.class)
public @interface RollbackTest {

    /** Whether each test method or the whole class gets a store of its own; each method unless set. */
    StorePer store() default StorePer.METHOD;

    /** When the reports of a test are filed; only for a test that failed unless set. */
    FileReports reports() default FileReports.ON_FAILURE;

    /**
     * Whether the plans run on a {@link dev.rollback.testing.TestClock} that moves only when told to
     * (and whose sleeper advances it instead of sleeping), given to the test as a parameter; the
     * system clock and real sleeps unless set. One clock per store.
     */
    boolean testClock() default false;

    /** How long a store lives. */
    enum StorePer {
        /** A fresh store for each test method (each invocation of a drill), emptied after it. */
        METHOD,
        /** One store for the test class, shared by its tests and emptied after the last. */
        CLASS
    }

    /** When a test's reports are filed. */
    enum FileReports {
        /** Only when the test failed: a red build shows what happened. */
        ON_FAILURE,
        /** After every test, passed or failed. */
        ALWAYS
    }
}
