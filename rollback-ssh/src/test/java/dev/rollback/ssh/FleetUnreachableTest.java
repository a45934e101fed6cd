package dev.rollback.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.Rollback;
import dev.rollback.fleet.Fleet;
import dev.rollback.fleet.FleetPoint;
import dev.rollback.fleet.FleetPreflightFailedException;
import dev.rollback.fleet.FleetReport;
import dev.rollback.fleet.FleetReport.HostStatus;
import dev.rollback.fleet.Waves;
import dev.rollback.host.Host;
import dev.rollback.targets.ConfigFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fleet whose one server is down when the rollback starts: preflight names it and no other server changes; asked
 * to, the fleet leaves it out and rolls the others back.
 */
class FleetUnreachableTest {

    @TempDir
    Path work;

    @Test
    void shouldRefuseTheFleetWhenAHostCannotBeReached() throws Exception {
        List<OpenSshServer> servers = new ArrayList<>();
        List<Host> hosts = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                OpenSshServer s = OpenSshServer.start();
                servers.add(s);
                hosts.add(s.host("root").connect());
                Files.writeString(work.resolve("config-" + i + ".json"), "{\"v\": 1}\n");
            }
            Fleet fleet = Fleet.of("api", hosts, host -> {
                int i = hosts.indexOf(host);
                return Rollback.plan("api").on(host).store(work.resolve("store-" + i))
                        .hostStore(work.resolve("artifacts-" + i))
                        .target(ConfigFiles.of(work.resolve("config-" + i + ".json"))).build();
            });
            FleetPoint v1 = fleet.capture("v1");
            for (int i = 0; i < 3; i++) {
                Files.writeString(work.resolve("config-" + i + ".json"), "{\"v\": 2}\n");
            }
            servers.remove(1).close(); // the server goes down, and the connection with it
            hosts.get(1).close();

            assertThatThrownBy(() -> fleet.rollback(v1, Waves.canary(1)))
                    .isInstanceOf(FleetPreflightFailedException.class)
                    .hasMessageContaining(hosts.get(1).name() + ":")
                    .hasMessageContaining("expected an SSH server answering there")
                    .hasMessageContaining("fleet.skippingUnreachable()")
                    .satisfies(e -> {
                        // one problem, not a repeat of the same silence from every check of the preview
                        assertThat(((FleetPreflightFailedException) e).problems())
                                .containsOnlyKeys(hosts.get(1).name());
                        assertThat(((FleetPreflightFailedException) e).problems().get(hosts.get(1).name()))
                                .singleElement().asString().startsWith("the host does not answer");
                    });
            for (int i = 0; i < 3; i++) {
                assertThat(Files.readString(work.resolve("config-" + i + ".json"))).isEqualTo("{\"v\": 2}\n");
            }

            // asked to, the fleet leaves the silent host out, names it, and rolls the others back
            FleetReport report = fleet.skippingUnreachable().rollback(v1, Waves.canary(1));
            assertThat(report.hostsWith(HostStatus.SUCCEEDED)).containsExactly(hosts.get(0).name(), hosts.get(2).name());
            assertThat(report.hostsWith(HostStatus.UNREACHABLE)).containsExactly(hosts.get(1).name());
            assertThat(report.host(hosts.get(1).name()).error()).contains("does not answer");
            assertThat(report.isSuccessful()).isFalse();
            assertThat(report.toMarkdown()).contains("| " + hosts.get(1).name() + " | - | UNREACHABLE |");
            assertThat(Files.readString(work.resolve("config-0.json"))).isEqualTo("{\"v\": 1}\n");
            assertThat(Files.readString(work.resolve("config-1.json"))).isEqualTo("{\"v\": 2}\n");
            assertThat(Files.readString(work.resolve("config-2.json"))).isEqualTo("{\"v\": 1}\n");

            // a resume while it is still down leaves the done hosts alone and names it again
            FleetReport resumed = fleet.skippingUnreachable().resume(v1, Waves.canary(1));
            assertThat(resumed.hostsWith(HostStatus.ALREADY_DONE)).containsExactly(hosts.get(0).name(),
                    hosts.get(2).name());
            assertThat(resumed.hostsWith(HostStatus.UNREACHABLE)).containsExactly(hosts.get(1).name());
        } finally {
            for (Host h : hosts) {
                h.close();
            }
            for (OpenSshServer s : servers) {
                s.close();
            }
        }
    }
}
