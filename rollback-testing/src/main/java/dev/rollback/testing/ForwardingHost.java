package dev.rollback.testing;

import dev.rollback.host.Command;
import dev.rollback.host.CommandResult;
import dev.rollback.host.FileDigest;
import dev.rollback.host.FileStat;
import dev.rollback.host.HeldCommand;
import dev.rollback.host.Host;
import dev.rollback.host.TreeCopy;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * A real host with every call passed on to it, for a test that must watch some calls (the argv a
 * target ran) or make one fail that the real host cannot fail on demand. Override only those.
 */
public abstract class ForwardingHost implements Host {

    private final Host delegate;

    /** A host forwarding every call to {@code delegate}. */
    protected ForwardingHost(Host delegate) {
        this.delegate = delegate;
    }

    /** The host every call goes to. */
    protected final Host delegate() {
        return delegate;
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public CommandResult run(Command command) {
        return delegate.run(command);
    }

    @Override
    public HeldCommand hold(Command command) {
        return delegate.hold(command);
    }

    @Override
    public boolean hasProgram(String program) {
        return delegate.hasProgram(program);
    }

    @Override
    public Optional<FileStat> stat(Path path) {
        return delegate.stat(path);
    }

    @Override
    public byte[] read(Path path) {
        return delegate.read(path);
    }

    @Override
    public void write(Path path, byte[] content, int mode) {
        delegate.write(path, content, mode);
    }

    @Override
    public void download(Path path, Path localFile) {
        delegate.download(path, localFile);
    }

    @Override
    public void upload(Path localFile, Path path, int mode) {
        delegate.upload(localFile, path, mode);
    }

    @Override
    public void move(Path from, Path to) {
        delegate.move(from, to);
    }

    @Override
    public void copy(Path from, Path to) {
        delegate.copy(from, to);
    }

    @Override
    public void copyTree(Path from, Path to, TreeCopy how) {
        delegate.copyTree(from, to, how);
    }

    @Override
    public List<FileDigest> digestTree(Path dir, Path earlier, Collection<FileDigest> known) {
        return delegate.digestTree(dir, earlier, known);
    }

    @Override
    public boolean sharesLocalFiles() {
        return delegate.sharesLocalFiles();
    }

    @Override
    public void delete(Path path) {
        delegate.delete(path);
    }

    @Override
    public List<Path> list(Path dir) {
        return delegate.list(dir);
    }

    @Override
    public void createDirectories(Path dir) {
        delegate.createDirectories(dir);
    }

    @Override
    public void symlink(Path link, Path target) {
        delegate.symlink(link, target);
    }

    @Override
    public void replaceSymlink(Path link, Path target) {
        delegate.replaceSymlink(link, target);
    }

    @Override
    public void setMode(Path path, int mode) {
        delegate.setMode(path, mode);
    }

    @Override
    public void setOwner(Path path, String owner, String group) {
        delegate.setOwner(path, owner, group);
    }

    @Override
    public boolean canChangeOwners() {
        return delegate.canChangeOwners();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
