package dev.rollback.db;

import dev.rollback.host.Command;
import dev.rollback.host.CommandResult;
import dev.rollback.host.Host;
import dev.rollback.testing.ForwardingHost;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** A real host that also keeps every command it ran, so tests can look at the argv lists. */
final class RecordingHost extends ForwardingHost {

    final List<Command> commands = Collections.synchronizedList(new ArrayList<>());

    RecordingHost(Host real) {
        super(real);
    }

    @Override
    public CommandResult run(Command command) {
        commands.add(command);
        return super.run(command);
    }
}
