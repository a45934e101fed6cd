package dev.rollback.db;

import dev.rollback.host.Command;
import dev.rollback.host.CommandResult;
import dev.rollback.host.FileStat;
import dev.rollback.host.Host;
import dev.rollback.host.TreeCopy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/** A real host that also keeps every command it ran, so tests can look at the argv lists. */
final class RecordingHost implements Host {

    private final Host real;
    final List<Command> commands = Collections.synchronizedList(new ArrayList<>());

    RecordingHost(Host real) {
        this.real = real;
    }

    @Override
    public String name() {
        return real.name();
    }

    @Override
    public CommandResult run(Command command) {
        commands.add(command);
        return real.run(command);
    }

    @Override
    public boolean hasProgram(String program) {
        return real.hasProgram(program);
    }

    @Override
    public Optional<FileStat> stat(Path path) {
        return real.stat(path);
    }

    @Override
    public byte[] read(Path path) {
        return real.read(path);
    }

    @Override
    public void write(Path path, byte[] content, int mode) {
        real.write(path, content, mode);
    }

    @Override
    public void move(Path from, Path to) {
        real.move(from, to);
    }

    @Override
    public void copy(Path from, Path to) {
        real.copy(from, to);
    }

    @Override
    public void copyTree(Path from, Path to, TreeCopy how) {
        real.copyTree(from, to, how);
    }

    @Override
    public void delete(Path path) {
        real.delete(path);
    }

    @Override
    public List<Path> list(Path dir) {
        return real.list(dir);
    }

    @Override
    public void createDirectories(Path dir) {
        real.createDirectories(dir);
    }

    @Override
    public void symlink(Path link, Path target) {
        real.symlink(link, target);
    }

    @Override
    public void replaceSymlink(Path link, Path target) {
        real.replaceSymlink(link, target);
    }

    @Override
    public void setMode(Path path, int mode) {
        real.setMode(path, mode);
    }

    @Override
    public void setOwner(Path path, String owner, String group) {
        real.setOwner(path, owner, group);
    }

    @Override
    public boolean canChangeOwners() {
        return real.canChangeOwners();
    }

    @Override
    public void close() {
        real.close();
    }
}
