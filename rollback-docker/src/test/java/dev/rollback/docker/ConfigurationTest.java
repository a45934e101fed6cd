package dev.rollback.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.host.Command;
import dev.rollback.host.CommandResult;
import dev.rollback.host.Hosts;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ConfigurationTest {

    @Test
    void shouldRefuseAContainerNameDockerWouldRefuse() {
        assertThatThrownBy(() -> DockerContainer.of("web; rm -rf /")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected a container name");
        assertThatThrownBy(() -> DockerContainer.of("web").named("")).hasMessageContaining("expected a target name");
        assertThatThrownBy(() -> DockerContainer.of("web").healthTimeout(Duration.ZERO))
                .hasMessageContaining("positive health timeout");
    }

    @Test
    void shouldRefuseRepeatedServicesAndBadProjectNames() {
        ComposeStack stack = ComposeStack.of(Path.of("/srv/app/docker-compose.yml"));
        assertThatThrownBy(() -> stack.only("backend", "backend")).hasMessageContaining("distinct service names");
        assertThatThrownBy(() -> stack.only()).hasMessageContaining("distinct service names");
        assertThatThrownBy(() -> stack.project("My App")).hasMessageContaining("expected a project name");
        assertThatThrownBy(() -> stack.envFile(Path.of("/srv/app/docker-compose.yml")))
                .hasMessageContaining("twice");
        assertThat(stack.only("backend").named("backend").name()).isEqualTo("backend");
    }

    @Test
    void shouldFindTheRepositoryOfAnImageReference() {
        assertThat(Docker.repository("app:latest")).contains("app");
        assertThat(Docker.repository("reg.example:5000/team/app:1.2")).contains("reg.example:5000/team/app");
        assertThat(Docker.repository("reg.example:5000/team/app")).contains("reg.example:5000/team/app");
        assertThat(Docker.repository("app@sha256:" + "a".repeat(64))).contains("app");
        assertThat(Docker.repository("sha256:" + "a".repeat(64))).isEqualTo(Optional.empty());
    }

    @Test
    void shouldNameTheEngineNotRunningInsteadOfQuotingTheCli() {
        CommandResult result = new CommandResult("docker run app", "local", 1, "", "docker: Cannot connect to the "
                + "Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?", Duration.ZERO, false);

        DockerException e = Docker.failure("web", Hosts.local(), "start the container", result);

        assertThat(e.reason()).isEqualTo(DockerException.Reason.ENGINE_NOT_RUNNING);
        assertThat(e.getMessage()).contains("container target 'web'").contains("does not answer")
                .contains("systemctl start docker");
        assertThat(e.target()).contains("web");
    }

    @Test
    void shouldSayANameConflictAndAMissingImage() {
        CommandResult conflict = new CommandResult("docker run", "local", 125, "", "docker: Error response from daemon: "
                + "Conflict. The container name \"/web\" is already in use by container \"abc\".", Duration.ZERO, false);
        CommandResult missing = new CommandResult("docker tag", "local", 1, "", "Error response from daemon: No such "
                + "image: sha256:abc", Duration.ZERO, false);

        assertThat(Docker.failure("web", Hosts.local(), "run", conflict).reason())
                .isEqualTo(DockerException.Reason.NAME_CONFLICT);
        assertThat(Docker.failure("web", Hosts.local(), "tag", missing).reason())
                .isEqualTo(DockerException.Reason.IMAGE_MISSING);
        assertThat(Command.of("docker", "tag").display()).isEqualTo("docker tag");
    }
}
