package dev.rollback.git;

import dev.rollback.testing.Requirements;
import org.junit.jupiter.api.BeforeEach;

/**
 * The behaviour of {@link GitCode} with the git program doing the work, run through {@code
 * Hosts.local()} exactly as it is run on a remote host.
 */
class CliCodeTest extends GitCodeBehaviour {

    @BeforeEach
    void requireGit() {
        Requirements.require(Requirements.onPath("git"), "the git program on the PATH (Debian: apt-get install git)");
    }

    @Override
    GitCode.Driver driver() {
        return GitCode.Driver.CLI;
    }
}
