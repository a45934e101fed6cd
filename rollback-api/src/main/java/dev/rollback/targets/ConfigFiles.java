package dev.rollback.targets;

import static dev.rollback.targets.ConfigSnapshots.cannotRead;
import static dev.rollback.targets.ConfigSnapshots.octal;
import static dev.rollback.targets.ConfigSnapshots.type;
import static dev.rollback.targets.ConfigSnapshots.validated;
import static dev.rollback.targets.ConfigValidation.numbered;

import dev.rollback.spi.CheckResult;
import dev.rollback.spi.Problem;
import dev.rollback.error.RollbackException;
import dev.rollback.spi.Snapshot;
import dev.rollback.spi.TargetKind;
import dev.rollback.host.Command;
import dev.rollback.host.FileStat;
import dev.rollback.host.Host;
import dev.rollback.internal.Files2;
import dev.rollback.internal.Redactor;
import dev.rollback.spi.CaptureContext;
import dev.rollback.spi.Names;
import dev.rollback.spi.Plural;
import dev.rollback.spi.RestoreContext;
import dev.rollback.spi.Target;
import dev.rollback.targets.ConfigSnapshots.Current;
import dev.rollback.targets.ConfigSnapshots.Saved;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Config files as one target of kind {@link TargetKind#CONFIG}: {@code .env}, JSON, YAML (compose
 * files too), properties, or any file. A capture copies each file into the restore point with its
 * mode, owner and group; a restore replaces each file atomically and puts its mode (and, as root,
 * its owner) back.
 *
 * <p><b>Validation.</b> Each file has a {@link Format}, detected from its name ({@link
 * Format#of(Path)}) unless declared with {@link #validatedAs(Format)}; a command can be added with
 * {@link #validatedBy(List)}, such as {@code nginx -t} (exit 0 means valid). Validation runs:
 *
 * <ul>
 *   <li>at {@link #capture}: a missing or invalid file is refused with its path, format, line and
 *       column, so no restore point holds a broken config;
 *   <li>after {@link #restore}, once every file is written: if a file or the command says invalid,
 *       every file is put back as it was just before the restore, and the restore fails saying it
 *       was undone;
 *   <li>in {@link #verify}, with the checksums.
 * </ul>
 *
 * <p>Setting the failed state aside ({@link #setAside}) never validates: the failed state is often
 * invalid, and it must be saved all the same. Restoring such a state (undoing a rollback) puts it
 * back as it was, without validation.
 *
 * <p><b>Preview.</b> {@link #plan} shows a unified diff per file, from what is there now to what
 * was captured. Values of keys that look secret (their names contain PASSWORD, SECRET, TOKEN, KEY,
 * PASS or CREDENTIAL, in any case) are shown as {@code ****} on both sides: exactly in dotenv and
 * properties files, line by line in JSON, YAML and other files ({@code "password": "****"},
 * {@code DB_PASSWORD: ****}). Messages never quote a file's content.
 *
 * <p>Every file and command goes through the plan's {@link Host}, so the target works unchanged on
 * a remote host; the restore point's copies stay in the local store.
 *
 * <pre>{@code
 * RollbackPlan plan = Rollback.plan("shop")
 *     .target(ConfigFiles.of(Path.of("/srv/shop/.env"), Path.of("/srv/shop/docker-compose.yml"))
 *         .validatedBy(List.of("docker-compose", "-f", "/srv/shop/docker-compose.yml", "config", "-q")))
 *     .target(ConfigFiles.of(Path.of("/etc/nginx/sites-available/shop")).named("nginx")
 *         .validatedBy(List.of("nginx", "-t")))
 *     .build();
 * }</pre>
 *
 * <p>Immutable and thread-safe: each {@code named}/{@code validated…} call returns a new target.
 */
public final class ConfigFiles implements Target {

    // written only by of(..) and by an option method on its own copy, before the copy is returned
    private String name;
    private List<Path> files;
    private List<Format> formats;
    private List<String> command;

    private ConfigFiles(List<Path> files) {
        this.name = "config";
        this.files = List.copyOf(files);
        this.formats = this.files.stream().map(Format::of).toList();
        this.command = List.of();
    }

    private ConfigFiles(ConfigFiles from) {
        this.name = from.name;
        this.files = from.files;
        this.formats = from.formats;
        this.command = from.command;
    }

    /**
     * A target named {@code config} holding the given files, each with the format its name says.
     *
     * @throws IllegalArgumentException if no file is given, or one is given twice
     */
    public static ConfigFiles of(Path... files) {
        Objects.requireNonNull(files, "files");
        if (files.length == 0) {
            throw new IllegalArgumentException("config files: expected at least one file, found none; give the "
                    + "files to capture, e.g. ConfigFiles.of(Path.of(\"/srv/app/.env\"))");
        }
        List<Path> list = new ArrayList<>();
        Set<Path> seen = new HashSet<>();
        for (int i = 0; i < files.length; i++) {
            Path p = Objects.requireNonNull(files[i], "file " + i);
            if (p.getFileName() == null) {
                throw new IllegalArgumentException("config files: expected a file path, found '" + p + "'; give the "
                        + "path of a file, not of a root folder");
            }
            if (!seen.add(p.normalize())) {
                throw new IllegalArgumentException("config files: expected each file once, found " + p + " twice; "
                        + "remove the repeated path");
            }
            list.add(p);
        }
        return new ConfigFiles(list);
    }

    /**
     * This target under another name, for a plan with several config targets.
     *
     * @throws IllegalArgumentException unless 1 to 64 letters, digits, {@code . _ -}, starting with a
     *     letter or digit ({@link Names#requireName})
     */
    public ConfigFiles named(String newName) {
        ConfigFiles copy = new ConfigFiles(this);
        copy.name = Names.requireName(newName, "target name of config target '" + name + "'");
        return copy;
    }

    /** This target with every file validated as {@code format}, whatever its name says. */
    public ConfigFiles validatedAs(Format format) {
        Objects.requireNonNull(format, "format");
        ConfigFiles copy = new ConfigFiles(this);
        copy.formats = files.stream().map(f -> format).toList();
        return copy;
    }

    /**
     * This target with one file validated as {@code format}.
     *
     * @throws IllegalArgumentException if {@code file} is not one of the target's files
     */
    public ConfigFiles validatedAs(Path file, Format format) {
        Objects.requireNonNull(format, "format");
        int i = indexOf(file);
        List<Format> changed = new ArrayList<>(formats);
        changed.set(i, format);
        ConfigFiles copy = new ConfigFiles(this);
        copy.formats = List.copyOf(changed);
        return copy;
    }

    /**
     * This target with a command that validates the files, run on the plan's host at capture and
     * after a restore; exit 0 means valid. The argv is passed as it is, never through a shell:
     * {@code List.of("nginx", "-t")}, {@code List.of("python3", "-m", "json.tool", "/srv/app/a.json")}.
     *
     * @throws IllegalArgumentException if the argv is empty or holds a null or blank program
     */
    public ConfigFiles validatedBy(List<String> argv) {
        Objects.requireNonNull(argv, "argv");
        Command.of(argv); // checks it the way the host will
        ConfigFiles copy = new ConfigFiles(this);
        copy.command = List.copyOf(argv);
        return copy;
    }

    /** The files, in the order they are captured and restored. */
    public List<Path> files() {
        return files;
    }

    /**
     * The format {@code file} is validated as.
     *
     * @throws IllegalArgumentException if {@code file} is not one of the target's files
     */
    public Format format(Path file) {
        return formats.get(indexOf(file));
    }

    /** The validation command's argv; empty if there is none. */
    public List<String> validationCommand() {
        return command;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public TargetKind kind() {
        return TargetKind.CONFIG;
    }

    /**
     * Copies every file into the restore point, after checking that each exists, is a regular file,
     * and passes its format's validator and the validation command.
     *
     * @throws RollbackException naming each file that is missing, unreadable or invalid, and what to do;
     *     nothing is stored then
     */
    @Override
    public Snapshot capture(CaptureContext ctx) {
        Host host = ctx.host();
        List<Current> now = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            Path file = files.get(i);
            Optional<FileStat> stat = host.stat(file);
            if (stat.isEmpty()) {
                problems.add("expected the file " + file + " (" + formats.get(i) + ") on host " + host.name()
                        + ", found nothing there; create it, or leave it out of ConfigFiles.of(...)");
                continue;
            }
            if (!stat.get().isFile()) {
                problems.add(notAFile(file, stat.get()));
                continue;
            }
            byte[] content;
            try {
                content = host.read(file);
            } catch (RuntimeException e) {
                problems.add(cannotRead(host, file, e));
                continue;
            }
            now.add(new Current(file, content, stat.get().mode(), stat.get().owner(), stat.get().group()));
            Format format = formats.get(i);
            format.validate(content).ifPresent(p -> problems.add("expected " + file + " to be valid " + format
                    + ", found " + p + "; fix the file (or declare its format with validatedAs)"));
        }
        Redactor redactor = preview().redactor(now.stream().map(Current::content).toList());
        if (problems.isEmpty() && !command.isEmpty()) {
            validation().commandProblem(host).ifPresent(problems::add);
        }
        if (!problems.isEmpty()) {
            throw new RollbackException(redactor.redact("config target '" + name + "' refuses to capture: "
                    + (problems.size() == 1 ? problems.get(0) : numbered(problems)) + "; then capture again"), null, name, "capture " + name);
        }
        return snapshots().store(ctx, now, true);
    }

    /**
     * Copies every file as it is into the restore point, without validating: the failed state is
     * often invalid and must be saved all the same. A file that does not exist is recorded as
     * absent, so that putting this state back removes it again.
     */
    @Override
    public Snapshot setAside(CaptureContext ctx) {
        Host host = ctx.host();
        List<Current> now = new ArrayList<>();
        for (Path file : files) {
            Optional<FileStat> stat = host.stat(file);
            if (stat.isPresent() && !stat.get().isFile()) {
                throw new RollbackException("config target '" + name + "' cannot set aside: " + notAFile(file, stat.get()),
                        null, name, "set aside " + name);
            }
            now.add(stat.isEmpty() ? Current.absent(file) : snapshots().read(host, file, stat.get()));
        }
        return snapshots().store(ctx, now, false);
    }

    /**
     * Everything that would stop the restore: a folder of a file that is missing or not writable,
     * something other than a file at a file's path, a validation command that is not installed, or a
     * snapshot of other files than this target's.
     */
    @Override
    public List<Problem> preflight(Snapshot snapshot, RestoreContext ctx) {
        List<Problem> problems = new ArrayList<>();
        List<Saved> saved;
        try {
            saved = snapshots().saved(snapshot);
            validated(snapshot);
        } catch (dev.rollback.spi.InvalidSnapshotException e) {
            throw e; // the engine names the manifest it came from
        } catch (RollbackException e) {
            return List.of(Problem.of(name, "a snapshot of the files " + files, e.getMessage(),
                    "capture a new restore point with this target"));
        }
        Host host = ctx.host();
        Set<Path> checked = new HashSet<>();
        for (Saved s : saved) {
            Path dir = parent(s.path());
            if (checked.add(dir)) {
                Optional<FileStat> d = host.stat(dir);
                if (d.isEmpty() || !d.get().isDirectory()) {
                    problems.add(Problem.of(name, "the folder " + dir + " of " + s.path() + " on host " + host.name(),
                            d.isEmpty() ? "nothing there" : "a " + type(d.get()),
                            "create the folder (the restore writes the file into it), or correct the path"));
                    continue;
                }
                if (host.hasProgram("test") && !host.run(Command.of("test", "-w", dir.toString())).succeeded()) {
                    problems.add(Problem.of(name, "the folder " + dir + " writable on host " + host.name(),
                            "it is not writable by the user the host runs as",
                            "run as the owner of the files (or root), or fix the folder's permissions"));
                }
            }
            Optional<FileStat> f = host.stat(s.path());
            if (f.isPresent() && !f.get().isFile()) {
                problems.add(Problem.of(name, "a regular file or nothing at " + s.path(), "a " + type(f.get()),
                        "move it away; a config file is replaced by an atomic rename, which needs a file"));
            }
        }
        if (validated(snapshot) && !command.isEmpty() && !host.hasProgram(command.get(0))) {
            problems.add(Problem.of(name, "the validation program '" + command.get(0) + "' on host " + host.name(),
                    "none", "install it, or give its full path in validatedBy(...)"));
        }
        return problems;
    }

    /**
     * Per file, what the restore does, with a unified diff from the content there now to the
     * captured content (secret-looking values masked on both sides), or that it is unchanged; then
     * how the result is validated. Changes nothing.
     */
    @Override
    public List<String> plan(Snapshot snapshot, RestoreContext ctx) throws IOException {
        Host host = ctx.host();
        List<String> actions = new ArrayList<>();
        List<byte[]> contents = new ArrayList<>();
        for (Saved s : snapshots().saved(snapshot)) {
            Optional<FileStat> stat = host.stat(s.path());
            byte[] now = stat.isPresent() && stat.get().isFile() ? host.read(s.path()) : null;
            byte[] then = s.present() ? host.read(ctx.artifact(snapshot, s.artifact())) : null;
            contents.add(now);
            contents.add(then);
            actions.add(preview().describe(s, stat, now, then, ctx));
        }
        if (validated(snapshot)) {
            actions.add("then validate: " + validation().validationText() + "; if anything is invalid, put every file back as it "
                    + "was just before this restore and fail (undone)");
        } else {
            actions.add("no validation: this state was set aside as it was, valid or not, and is put back as it was");
        }
        Redactor redactor = preview().redactor(contents);
        return actions.stream().map(redactor::redact).toList();
    }

    /**
     * Replaces each file atomically with its captured content, mode and owner (removing a file that
     * was absent when set aside); then, if the snapshot was validated at capture, validates the
     * result. If a write fails or the result is invalid, every file is put back as it was just
     * before this restore, and the restore fails saying so.
     *
     * @throws RollbackException if a file cannot be written or the result does not validate (the
     *     restore was undone), or if putting back fails too (the message says which files)
     */
    @Override
    public void restore(Snapshot snapshot, RestoreContext ctx) throws IOException {
        Host host = ctx.host();
        List<Saved> saved = snapshots().saved(snapshot);
        List<byte[]> captured = new ArrayList<>();
        for (Saved s : saved) {
            captured.add(s.present() ? host.read(ctx.artifact(snapshot, s.artifact())) : null);
        }
        // what is there now, read before anything changes, so a failed restore can be undone
        List<Current> before = new ArrayList<>();
        for (Saved s : saved) {
            Optional<FileStat> stat = host.stat(s.path());
            if (stat.isPresent() && !stat.get().isFile()) {
                throw new RollbackException("config target '" + name + "' cannot restore: " + notAFile(s.path(),
                        stat.get()) + "; nothing was changed", null, name, "restore " + name);
            }
            before.add(stat.isEmpty() ? Current.absent(s.path()) : snapshots().read(host, s.path(), stat.get()));
        }
        List<byte[]> all = new ArrayList<>(captured);
        before.forEach(c -> all.add(c.content()));
        Redactor redactor = preview().redactor(all);
        int written = 0;
        try {
            for (int i = 0; i < saved.size(); i++) {
                ctx.progress("restoring " + saved.get(i).path());
                written = i + 1;
                ConfigWrites.apply(host, saved.get(i), captured.get(i));
            }
        } catch (RuntimeException e) {
            String undone = ConfigWrites.putBack(host, before.subList(0, written));
            throw new RollbackException(redactor.redact("config target '" + name + "': expected to write "
                    + saved.get(written - 1).path() + ", found: " + e.getMessage() + "; " + undone), e, name,
                    "restore " + name);
        }
        if (!validated(snapshot)) {
            return;
        }
        List<String> problems = validation().validate(host, saved);
        if (!problems.isEmpty()) {
            String undone = ConfigWrites.putBack(host, before);
            throw new RollbackException(redactor.redact("config target '" + name + "': expected the restored files to "
                    + "validate, found " + numbered(problems) + "; " + undone
                    + "; fix what the validator needs (or the captured files), then roll back again"), null, name,
                    "restore " + name);
        }
    }

    /**
     * Checks that every file has its captured content (SHA-256) and mode, that a file absent when set
     * aside is absent, and, for a validated snapshot, that the files and the command still validate.
     */
    @Override
    public CheckResult verify(Snapshot snapshot, RestoreContext ctx) {
        Host host = ctx.host();
        List<Saved> saved = snapshots().saved(snapshot);
        List<String> problems = new ArrayList<>();
        List<byte[]> contents = new ArrayList<>();
        for (Saved s : saved) {
            Optional<FileStat> stat = host.stat(s.path());
            if (!s.present()) {
                if (stat.isPresent()) {
                    problems.add(s.path() + " exists, but was absent in the state put back");
                }
                continue;
            }
            if (stat.isEmpty() || !stat.get().isFile()) {
                problems.add(s.path() + ": expected the restored file, found " + (stat.isEmpty() ? "nothing"
                        : "a " + type(stat.get())));
                continue;
            }
            byte[] content = host.read(s.path());
            contents.add(content);
            String sha = snapshot.artifact(s.artifact()).map(a -> a.sha256()).orElse(s.sha256());
            if (!Files2.sha256(content).equals(sha)) {
                problems.add(s.path() + " differs from the capture (SHA-256 " + Files2.sha256(content).substring(0, 12)
                        + "…, captured " + sha.substring(0, Math.min(12, sha.length())) + "…)");
            }
            if (stat.get().mode() != s.mode()) {
                problems.add(s.path() + " has mode " + stat.get().octalMode() + ", captured " + octal(s.mode()));
            }
        }
        if (problems.isEmpty() && validated(snapshot)) {
            problems.addAll(validation().validate(host, saved));
        }
        Redactor redactor = preview().redactor(contents);
        String check = "verify " + name;
        if (problems.isEmpty()) {
            return CheckResult.passed(check, Plural.of(saved.size(), "file") + (saved.size() == 1 ? " matches" : " match") + " the capture"
                    + (validated(snapshot) ? " and validate (" + validation().validationText() + ")" : ""));
        }
        return CheckResult.failed(check, redactor.redact(String.join("; ", problems)));
    }

    @Override
    public String toString() {
        return "ConfigFiles[" + name + ", " + files + ", formats " + formats
                + (command.isEmpty() ? "" : ", validated by " + Command.of(command).display()) + "]";
    }

    // ---- helpers ---------------------------------------------------------------------------------

    private ConfigSnapshots snapshots() {
        return new ConfigSnapshots(name, files, formats);
    }

    private ConfigValidation validation() {
        return new ConfigValidation(formats, command);
    }

    private ConfigPreview preview() {
        return new ConfigPreview(formats);
    }

    private int indexOf(Path file) {
        Objects.requireNonNull(file, "file");
        int i = files.indexOf(file);
        if (i < 0) {
            throw new IllegalArgumentException("config target '" + name + "': expected one of its files " + files
                    + ", found " + file + "; give the path exactly as in ConfigFiles.of(...)");
        }
        return i;
    }

    private static Path parent(Path file) {
        Path parent = file.getParent();
        return parent == null ? Path.of(".") : parent;
    }

    private static String notAFile(Path file, FileStat stat) {
        return "expected a regular file at " + file + ", found a " + type(stat)
                + (stat.isSymlink() ? " to " + stat.linkTarget() + "; give the path of the file it points to" : "; "
                        + "give the path of a file");
    }

}
