package dev.rollback.targets;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.Rollback;
import dev.rollback.RollbackPlan;
import dev.rollback.spi.Target;
import dev.rollback.testing.TestClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The spellings a configuration rule replaced make the same targets as the new ones, until they go. */
@SuppressWarnings("removal")
class DeprecatedSpellingsTest {

    @TempDir
    Path dir;

    final TestClock clock = new TestClock();

    /** Same name, same description, and the same plan for a point captured by the new spelling. */
    void assertSame(Target now, Target before) {
        assertThat(before.name()).isEqualTo(now.name());
        assertThat(before.kind()).isEqualTo(now.kind());
        assertThat(before).hasToString(now.toString());
        RollbackPlan withNew = plan(now);
        withNew.capture("v1");
        RollbackPlan withOld = plan(before);
        assertThat(withOld.preview(withOld.restorePoints().get(0)).toString())
                .isEqualTo(withNew.preview(withNew.restorePoints().get(0)).toString());
    }

    RollbackPlan plan(Target target) {
        return Rollback.plan("spellings").store(dir.resolve("store")).clock(clock).target(target).build();
    }

    @Test
    void shouldMakeTheSameDirectoryTargets() throws Exception {
        Path app = Files.createDirectories(dir.resolve("srv/app"));
        Files.writeString(app.resolve("index.html"), "v1\n");
        Files.createDirectories(app.resolve("logs"));
        assertSame(DirectoryBackup.of(app).excluding("logs").named("site"),
                Directory.backup(app).excluding("logs").named("site"));
    }

    @Test
    void shouldMakeTheSameReleaseTargets() throws Exception {
        Path releases = Files.createDirectories(dir.resolve("srv/shop/releases"));
        Files.createDirectories(releases.resolve("1"));
        Path current = Files.createSymbolicLink(dir.resolve("srv/shop/current"), Path.of("releases/1"));
        assertSame(DirectoryReleases.of(current).releasesIn(releases), Directory.releases(current).releasesIn(releases));
    }

    @Test
    void shouldMakeTheSameTrafficSwitches() throws Exception {
        Path blue = Files.writeString(dir.resolve("blue.conf"), "upstream app { server 127.0.0.1:8001; }\n");
        Path green = Files.writeString(dir.resolve("green.conf"), "upstream app { server 127.0.0.1:8002; }\n");
        Path link = Files.createSymbolicLink(dir.resolve("active.conf"), Path.of("blue.conf"));
        assertSame(TrafficSwitch.ofSymlink(link).side("blue", blue).side("green", green).testWith("true"),
                TrafficSwitch.symlink(link).side("blue", blue).side("green", green).testWith("true"));

        Path file = Files.writeString(dir.resolve("app.conf"), Files.readString(green));
        assertSame(TrafficSwitch.ofFile(file).side("blue", blue).side("green", green).named("edge"),
                TrafficSwitch.file(file).side("blue", blue).side("green", green).named("edge"));
    }

    @Test
    void shouldMakeTheSameCommandTargets() {
        assertSame(CommandTarget.of("greeting").captureWith("echo", "hello").restoreWith("cat", CommandTarget.ARTIFACT)
                        .verifiedBy("true").in(dir),
                CommandTarget.of("greeting").captureWith("echo", "hello").restoreWith("cat", CommandTarget.ARTIFACT)
                        .verifyWith("true").in(dir));
    }

    @Test
    void shouldMakeTheSameServices() {
        Path pid = dir.resolve("run/bot.pid");
        List<Service[]> pairs = List.of(
                new Service[] {Service.ofSystemd("rosey-bot"), Service.systemd("rosey-bot")},
                new Service[] {Service.ofProcess("bot", List.of("sleep", "60"), pid),
                        Service.process("bot", List.of("sleep", "60"), pid)},
                new Service[] {Service.ofCommands("web", List.of("true"), List.of("true"), List.of("false")),
                        Service.commands("web", List.of("true"), List.of("true"), List.of("false"))});
        for (Service[] pair : pairs) {
            assertThat(pair[1].name()).isEqualTo(pair[0].name());
            assertThat(pair[1]).hasToString(pair[0].toString());
            assertThat(pair[1].stopping().describe()).isEqualTo(pair[0].stopping().describe());
            assertThat(pair[1].starting().describe()).isEqualTo(pair[0].starting().describe());
        }
    }
}
