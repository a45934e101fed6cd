package dev.rollback.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.host.Hosts;
import dev.rollback.testing.Requirements;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How a {@link GitCode} target is configured: each option checked where it is given. */
class GitCodeConfigTest {

    final GitCode code = GitCode.of(Path.of("/srv/app"));

    @Test
    void shouldDefaultToResetANamedCodeTargetDrivenAutomatically() {
        assertThat(code.name()).isEqualTo("code");
        assertThat(code.strategy()).isEqualTo(GitCode.Strategy.RESET);
        assertThat(code.paths()).isEmpty();
        assertThat(code.workTree()).isEqualTo(Path.of("/srv/app"));
        assertThat(code).hasToString("GitCode[code, /srv/app, reset, driver AUTO]");
    }

    @Test
    void shouldReturnANewTargetForEachOptionAndLeaveTheOriginalAsItWas() {
        GitCode backend = code.only("./app/", "alembic//", "app").named("backend").allowDirty().tagDeploys()
                .verifiedBy("npm", "run", "build").using(GitCode.Driver.CLI);

        assertThat(backend.paths()).containsExactly("app", "alembic");
        assertThat(backend).hasToString("GitCode[backend, /srv/app, paths [app, alembic], allow dirty, tag deploys, "
                + "verify with [npm run build], driver CLI]");
        assertThat(code).hasToString("GitCode[code, /srv/app, reset, driver AUTO]");
    }

    @Test
    void shouldRefuseToCombineRevertingWithOnlyPaths() {
        assertThatThrownBy(() -> code.reverting().only("app"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("choose one");
        assertThatThrownBy(() -> code.only("app").reverting())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("choose one");
    }

    @Test
    void shouldRefusePathsOutsideTheWorkTree() {
        for (String bad : List.of("/etc", "../other", "app/../../x", "", "./", ".git/config")) {
            assertThatThrownBy(() -> code.only(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected a path inside the work tree");
        }
        assertThatThrownBy(() -> code.only()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least one path");
    }

    @Test
    void shouldRefuseABadNameAndAnEmptyVerifyCommand() {
        assertThatThrownBy(() -> code.named("my code")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> code.verifiedBy(List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldMakeLabelsSafeAsTagNames() {
        assertThat(GitKeys.refPart("v2.0.0")).isEqualTo("v2.0.0");
        assertThat(GitKeys.refPart("release 7/b")).isEqualTo("release-7-b");
        assertThat(GitKeys.refPart("..hidden..lock")).isEqualTo("hidden");
        assertThatThrownBy(() -> GitKeys.refPart("///")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldUseTheGitProgramOnThisMachineWhenItIsInstalledAndJGitWhenForced() {
        Requirements.require(Requirements.onPath("git"), "the git program on the PATH");
        try (GitRepo auto = code.open(Hosts.local());
                GitRepo jgit = code.using(GitCode.Driver.JGIT).open(Hosts.local())) {
            assertThat(auto).isInstanceOf(CliRepo.class);
            assertThat(jgit).isInstanceOf(JGitRepo.class);
        }
    }
}
