package dev.rollback.ssh;

import dev.rollback.host.CommandResult;
import dev.rollback.host.FileDigest;
import dev.rollback.host.FileStat;
import dev.rollback.host.HostException;
import dev.rollback.host.TreeCopy;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole trees of an {@link SshHost}: copying one on the server (hard links to an unchanged
 * earlier copy) and digesting one (reading only files that changed since an earlier digest), each
 * in a handful of GNU {@code find}, {@code cp} and {@code sha256sum} commands whatever the size of
 * the tree.
 *
 * <p>Thread-safe: holds no state of its own; each call lists and works on the server afresh.
 */
final class SshTrees {

    // logs under the facade's name, so the logging configuration of SshHost keeps covering it
    private static final Logger LOG = LoggerFactory.getLogger(SshHost.class);

    private final SshLink link;
    private final SshCommands commands;
    private final SshFiles files;
    private final SshOwners owners;
    private final String name;

    SshTrees(SshLink link, SshCommands commands, SshFiles files, SshOwners owners) {
        this.link = link;
        this.commands = commands;
        this.files = files;
        this.owners = owners;
        this.name = link.name();
    }

    void copyTree(Path from, Path to, TreeCopy how) {
        Path f = link.absolute(from, "copy the tree");
        Path t = link.absolute(to, "copy the tree to");
        Objects.requireNonNull(how, "how");
        files.requireFolder("copy of the tree", f);
        if (files.stat(t).isPresent()) {
            throw new HostException("copy of the tree " + f + " to " + t + " on host " + name + ": expected nothing at "
                    + t + ", found something; move it away or choose another destination");
        }
        new TreeCopier(f, t, how).copy();
    }

    /**
     * Copies a tree on the server, in a handful of commands whatever its size: one {@code find}
     * lists the source (and one the earlier copy), then {@code mkdir}, {@code cp --parents} (files
     * and links, with modes, times and, as root, owners), {@code cp -l --parents} (hard links from
     * the earlier copy) and a last pass that gives folders their modes and times, deepest first.
     */
    private final class TreeCopier {
        private final Path from;
        private final Path to;
        private final TreeCopy how;

        TreeCopier(Path from, Path to, TreeCopy how) {
            this.from = from;
            this.to = to;
            this.how = how;
        }

        void copy() {
            Map<String, Entry> source = walk(from, how);
            Map<String, Entry> earlier = Map.of();
            if (how.linkDest() != null) {
                Path linkDest = link.absolute(how.linkDest(), "link from");
                Optional<FileStat> ld = files.stat(linkDest);
                if (ld.isPresent() && ld.get().isDirectory()) {
                    earlier = walk(linkDest, TreeCopy.all());
                }
            }
            boolean asRoot = owners.canChangeOwners();
            List<String> dirs = new ArrayList<>();
            List<String> copies = new ArrayList<>();
            List<String> links = new ArrayList<>();
            for (Entry e : source.values()) {
                switch (e.type) {
                    case 'd' -> {
                        if (!e.rel.isEmpty()) {
                            dirs.add(e.rel);
                        }
                    }
                    case 'l' -> copies.add(e.rel);
                    case 'f' -> {
                        Entry old = earlier.get(e.rel);
                        if (old != null && old.sameFileAs(e, asRoot)) {
                            links.add(e.rel);
                        } else {
                            copies.add(e.rel);
                        }
                    }
                    default -> LOG.warn("copy of {} on {}: left out {}, which is neither a file, a folder nor a link",
                            from, name, e.rel);
                }
            }
            List<String> mkdirs = new ArrayList<>();
            mkdirs.add(to.toString());
            dirs.forEach(d -> mkdirs.add(to.resolve(d).toString()));
            SshCommands.inChunks(mkdirs, List.of(), chunk -> commands.script("copy of the tree " + from + " to", to,
                    "exec mkdir -- \"$@\"", chunk, null));
            if (!copies.isEmpty()) {
                commands.script("copy of the tree " + from + " to", to,
                        "cd \"$1\" && exec xargs -0 cp -P -p --parents -t \"$2\" --",
                        List.of(from.toString(), to.toString()), SshCommands.nulSeparated(copies));
            }
            if (!links.isEmpty()) {
                commands.script("copy of the tree " + from + " to", to,
                        "cd \"$1\" && exec xargs -0 cp -l --parents -t \"$2\" --",
                        List.of(how.linkDest().toString(), to.toString()), SshCommands.nulSeparated(links));
            }
            // folders last, deepest first: their modes may forbid writing, and filling them changes their times
            List<String> attrs = new ArrayList<>();
            List<Entry> folders = new ArrayList<>();
            dirs.forEach(d -> folders.add(source.get(d)));
            folders.sort(Comparator.comparingInt((Entry e) -> e.rel.split("/").length).reversed());
            folders.add(source.get(""));
            for (Entry d : folders) {
                attrs.add(to.resolve(d.rel).toString());
                attrs.add(Integer.toOctalString(d.mode));
                attrs.add("@" + d.mtime.toPlainString());
                attrs.add(asRoot ? d.uid + ":" + d.gid : "");
            }
            SshCommands.inChunks(attrs, List.of(), chunk -> commands.script("copy of the tree " + from + " to", to,
                    "while [ $# -gt 0 ]; do if [ -n \"$4\" ]; then chown -h -- \"$4\" \"$1\" || exit; fi; "
                            + "chmod -- \"$2\" \"$1\" && touch -h -d \"$3\" -- \"$1\" || exit; shift 4; done",
                    chunk, null));
        }

        /** Every entry below {@code root} (and root itself as ""), excluded paths left out, in find's order. */
        private Map<String, Entry> walk(Path root, TreeCopy excludes) {
            List<String> params = new ArrayList<>();
            params.add(root.toString());
            for (String e : excludes.excludes()) {
                params.add(root + "/" + e.replaceAll("([\\\\*?\\[])", "\\\\$1"));
            }
            // find ROOT ( -path P1 -o -path P2 ) -prune -o -printf ..., built from the parameters, never from text
            String script = "r=$1; shift; n=$#; first=1; for p in \"$@\"; do "
                    + "if [ \"$first\" = 1 ]; then set -- \"$@\" '('; first=0; else set -- \"$@\" -o; fi; "
                    + "set -- \"$@\" -path \"$p\"; done; shift \"$n\"; "
                    + "if [ $# -gt 0 ]; then set -- \"$@\" ')' -prune -o; fi; "
                    + "exec find \"$r\" \"$@\" -printf '%y %m %U %G %s %T@ %P\\0%l\\0'";
            CommandResult r = commands.script("list the tree", root, script, params, null);
            Map<String, Entry> out = new LinkedHashMap<>();
            String[] parts = r.stdout().split("\0", -1);
            for (int i = 0; i + 1 < parts.length; i += 2) {
                Entry e = Entry.parse(parts[i]);
                if (!e.rel.isEmpty() && excludes.isExcluded(e.rel)) {
                    continue;
                }
                out.put(e.rel, e);
            }
            if (!out.containsKey("")) {
                throw new HostException("list the tree " + root + " on host " + name + ": expected GNU find to list it, "
                        + "found no entry for the folder itself; install GNU findutils on the server");
            }
            return out;
        }
    }

    /** One line of the tree listing. */
    private record Entry(char type, int mode, int uid, int gid, long size, BigDecimal mtime, String rel) {
        static Entry parse(String line) {
            String[] f = line.split(" ", 7);
            return new Entry(f[0].charAt(0), Integer.parseInt(f[1], 8), Integer.parseInt(f[2]), Integer.parseInt(f[3]),
                    Long.parseLong(f[4]), new BigDecimal(f[5]), f[6]);
        }

        /** Same size, time (to the microsecond, the precision copies keep), mode and, as root, owner. */
        boolean sameFileAs(Entry live, boolean asRoot) {
            return type == 'f' && size == live.size && mode == live.mode
                    && micros(mtime).equals(micros(live.mtime)) && (!asRoot || (uid == live.uid && gid == live.gid));
        }

        private static BigDecimal micros(BigDecimal seconds) {
            return seconds.setScale(6, RoundingMode.DOWN);
        }
    }

    List<FileDigest> digestTree(Path dir, Path earlier, Collection<FileDigest> known) {
        Path d = link.absolute(dir, "digest the tree");
        Objects.requireNonNull(known, "known");
        files.requireFolder("digest the tree", d);
        Map<String, String[]> listed = listFiles(d);
        Map<String, FileDigest> before = new HashMap<>();
        known.forEach(k -> before.put(k.path(), k));
        Map<String, String[]> old = Map.of();
        if (earlier != null && !before.isEmpty()) {
            Path e = link.absolute(earlier, "digest the tree");
            Optional<FileStat> es = files.stat(e);
            if (es.isPresent() && es.get().isDirectory()) {
                old = listFiles(e);
            }
        }
        List<FileDigest> out = new ArrayList<>();
        List<String> toRead = new ArrayList<>();
        for (Map.Entry<String, String[]> f : listed.entrySet()) {
            long size = Long.parseLong(f.getValue()[0]);
            FileDigest was = before.get(f.getKey());
            String[] then = old.get(f.getKey());
            if (was != null && then != null && was.size() == size && then[1].equals(f.getValue()[1])) {
                out.add(was);
            } else {
                toRead.add(f.getKey());
            }
        }
        if (!toRead.isEmpty()) {
            CommandResult r = commands.script("digest the tree", d, "cd \"$1\" && exec xargs -0 -r sha256sum -z --",
                    List.of(d.toString()), SshCommands.nulSeparated(toRead));
            Map<String, String> sums = new HashMap<>();
            for (String line : r.stdout().split("\0")) {
                if (line.length() > 66) {
                    sums.put(line.substring(66), line.substring(0, 64));
                }
            }
            for (String rel : toRead) {
                String sha = sums.get(rel);
                if (sha == null) {
                    throw new HostException("digest the tree " + d + " on host " + name + ": expected a SHA-256 of "
                            + rel + " from sha256sum, found none; install GNU coreutils on the server");
                }
                out.add(new FileDigest(rel, Long.parseLong(listed.get(rel)[0]), sha));
            }
        }
        out.sort(Comparator.comparing(FileDigest::path));
        return out;
    }

    /** Every regular file below {@code root}: relative path to {size, device:inode}. */
    private Map<String, String[]> listFiles(Path root) {
        CommandResult r = commands.script("list the files of", root,
                "exec find \"$1\" -type f -printf '%P\\0%s\\0%D:%i\\0'",
                List.of(root.toString()), null);
        Map<String, String[]> out = new LinkedHashMap<>();
        String[] parts = r.stdout().split("\0", -1);
        for (int i = 0; i + 2 < parts.length; i += 3) {
            out.put(parts[i], new String[] {parts[i + 1], parts[i + 2]});
        }
        return out;
    }
}
