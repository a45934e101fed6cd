package dev.rollback.host;

import dev.rollback.testing.HostContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The host contract on this machine. */
class LocalHostTest extends HostContract {

    @TempDir
    Path dir;

    private final Host host = Hosts.local();

    @Override
    protected Host host() {
        return host;
    }

    @Override
    protected Host openHost() {
        return Hosts.local();
    }

    @Override
    protected Path dir() {
        return dir;
    }
}
