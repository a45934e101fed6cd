package dev.rollback.git;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.ResetCommand;
import org.eclipse.jgit.api.Status;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.diff.DiffEntry;
import org.eclipse.jgit.diff.DiffFormatter;
import org.eclipse.jgit.diff.Edit;
import org.eclipse.jgit.dircache.DirCache;
import org.eclipse.jgit.dircache.DirCacheCheckout;
import org.eclipse.jgit.dircache.DirCacheIterator;
import org.eclipse.jgit.errors.AmbiguousObjectException;
import org.eclipse.jgit.errors.IncorrectObjectTypeException;
import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.errors.RepositoryNotFoundException;
import org.eclipse.jgit.errors.RevisionSyntaxException;
import org.eclipse.jgit.lib.AnyObjectId;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.merge.MergeStrategy;
import org.eclipse.jgit.merge.ResolveMerger;
import org.eclipse.jgit.patch.FileHeader;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevObject;
import org.eclipse.jgit.revwalk.RevSort;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.FileTreeIterator;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.treewalk.filter.PathFilterGroup;
import org.eclipse.jgit.treewalk.filter.TreeFilter;
import org.eclipse.jgit.util.io.DisabledOutputStream;

/**
 * JGit on a work tree of this machine: no program needed, the repository opened once per call of a
 * target. Commits and tags it makes are never signed, so a user's signing configuration cannot stop
 * a rollback.
 *
 * <p>Not thread-safe; one instance serves one call of a target.
 */
final class JGitRepo implements GitRepo {

    private final Path dir;
    private Git git;

    /** A repository whose work tree is {@code dir}; opened on first use. */
    public JGitRepo(Path dir) {
        this.dir = dir;
    }

    /** Whether JGit is on the class path (it is an optional dependency). */
    public static boolean available() {
        try {
            Class.forName("org.eclipse.jgit.api.Git", false, JGitRepo.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    @Override
    public String describe() {
        return "JGit in " + dir;
    }

    @Override
    public Optional<String> whyNotUsable() {
        if (!Files.isDirectory(dir)) {
            return Optional.of("no folder " + dir);
        }
        if (!Files.exists(dir.resolve(Constants.DOT_GIT))) {
            return Optional.of("no git repository at " + dir + " (no .git in it; give the top of the work tree)");
        }
        try {
            git();
            return Optional.empty();
        } catch (GitException e) {
            return Optional.of(e.getMessage());
        }
    }

    private Git git() {
        if (git == null) {
            try {
                git = Git.open(dir.toFile());
            } catch (RepositoryNotFoundException e) {
                throw new GitException(null, "no git repository at " + dir + ": " + e.getMessage(), e);
            } catch (IOException e) {
                throw new GitException(null, "cannot open the git repository at " + dir + ": " + e, e);
            }
        }
        return git;
    }

    private Repository repo() {
        return git().getRepository();
    }

    @Override
    public Optional<String> resolve(String revision) {
        try {
            ObjectId id = repo().resolve(revision + "^{commit}");
            return Optional.ofNullable(id).map(ObjectId::name);
        } catch (RevisionSyntaxException | AmbiguousObjectException | IncorrectObjectTypeException
                | MissingObjectException e) {
            return Optional.empty(); // not a revision that names one commit: the answer is "none"
        } catch (IOException e) {
            throw io("resolve " + revision, e);
        }
    }

    @Override
    public CommitInfo commit(String id) {
        try (RevWalk walk = new RevWalk(repo())) {
            return info(walk.parseCommit(ObjectId.fromString(id)));
        } catch (IOException e) {
            throw io("read the commit " + id, e);
        }
    }

    private static CommitInfo info(RevCommit c) {
        PersonIdent a = c.getAuthorIdent();
        List<String> parents = new ArrayList<>();
        for (RevCommit p : c.getParents()) {
            parents.add(p.name());
        }
        return new CommitInfo(c.name(), c.getShortMessage(), a.getName() + " <" + a.getEmailAddress() + ">", parents);
    }

    @Override
    public Head head() {
        try {
            Ref head = repo().exactRef(Constants.HEAD);
            String branch = null;
            if (head != null && head.isSymbolic()) {
                String target = head.getTarget().getName();
                branch = target.startsWith(Constants.R_HEADS) ? target.substring(Constants.R_HEADS.length()) : null;
            }
            ObjectId id = head == null ? null : head.getObjectId();
            return new Head(id == null ? null : id.name(), branch);
        } catch (IOException e) {
            throw io("read HEAD", e);
        }
    }

    @Override
    public List<String> tagsAt(String commit) {
        TreeSet<String> tags = new TreeSet<>();
        try (RevWalk walk = new RevWalk(repo())) {
            for (Ref ref : repo().getRefDatabase().getRefsByPrefix(Constants.R_TAGS)) {
                RevObject peeled = walk.peel(walk.parseAny(ref.getObjectId()));
                if (peeled.name().equals(commit)) {
                    tags.add(ref.getName().substring(Constants.R_TAGS.length()));
                }
            }
        } catch (IOException e) {
            throw io("list tags", e);
        }
        return List.copyOf(tags);
    }

    @Override
    public String describe(String commit) {
        try {
            String d = git().describe().setTarget(commit).setTags(true).setAlways(true).call();
            return d == null ? "" : d;
        } catch (GitAPIException e) {
            throw api("describe " + commit, e);
        } catch (IOException e) {
            throw io("describe " + commit, e);
        }
    }

    @Override
    public Optional<String> operationInProgress() {
        return switch (repo().getRepositoryState()) {
            case MERGING, MERGING_RESOLVED -> Optional.of("merge");
            case REBASING, REBASING_MERGE, REBASING_INTERACTIVE, REBASING_REBASING -> Optional.of("rebase");
            case APPLY -> Optional.of("rebase or am");
            case CHERRY_PICKING, CHERRY_PICKING_RESOLVED -> Optional.of("cherry-pick");
            case REVERTING, REVERTING_RESOLVED -> Optional.of("revert");
            case BISECTING -> Optional.of("bisect");
            case SAFE, BARE -> Optional.empty();
        };
    }

    @Override
    public List<String> uncommittedPaths() {
        try {
            Status s = git().status().call();
            TreeSet<String> paths = new TreeSet<>();
            for (Collection<String> c : List.of(s.getAdded(), s.getChanged(), s.getModified(), s.getMissing(),
                    s.getRemoved(), s.getUntracked(), s.getConflicting())) {
                paths.addAll(c);
            }
            return List.copyOf(paths);
        } catch (GitAPIException e) {
            throw api("read the status", e);
        }
    }

    @Override
    public List<CommitInfo> commitsBetween(String base, String head, boolean firstParent) {
        try (RevWalk walk = new RevWalk(repo())) {
            walk.setFirstParent(firstParent);
            walk.sort(RevSort.TOPO);
            walk.sort(RevSort.COMMIT_TIME_DESC, true);
            walk.markStart(walk.parseCommit(ObjectId.fromString(head)));
            walk.markUninteresting(walk.parseCommit(ObjectId.fromString(base)));
            List<CommitInfo> out = new ArrayList<>();
            for (RevCommit c : walk) {
                out.add(info(c));
            }
            return out;
        } catch (IOException e) {
            throw io("list the commits " + base + ".." + head, e);
        }
    }

    @Override
    public boolean isAncestor(String ancestor, String commit) {
        try (RevWalk walk = new RevWalk(repo())) {
            return walk.isMergedInto(walk.parseCommit(ObjectId.fromString(ancestor)),
                    walk.parseCommit(ObjectId.fromString(commit)));
        } catch (IOException e) {
            throw io("compare " + ancestor + " with " + commit, e);
        }
    }

    @Override
    public List<FileChange> diff(String from, String to, List<String> paths) {
        try (DiffFormatter f = new DiffFormatter(DisabledOutputStream.INSTANCE)) {
            f.setRepository(repo());
            f.setDetectRenames(true);
            if (!paths.isEmpty()) {
                f.setPathFilter(PathFilterGroup.createFromStrings(paths));
            }
            List<FileChange> out = new ArrayList<>();
            for (DiffEntry e : f.scan(tree(from), tree(to))) {
                FileHeader h = f.toFileHeader(e);
                int added = 0;
                int removed = 0;
                if (h.getPatchType() == FileHeader.PatchType.BINARY || h.getPatchType() == FileHeader.PatchType.GIT_BINARY) {
                    added = -1;
                    removed = -1;
                } else {
                    for (Edit edit : h.toEditList()) {
                        added += edit.getLengthB();
                        removed += edit.getLengthA();
                    }
                }
                switch (e.getChangeType()) {
                    case ADD, COPY -> out.add(new FileChange('A', e.getNewPath(), null, added, removed));
                    case DELETE -> out.add(new FileChange('D', e.getOldPath(), null, added, removed));
                    case RENAME -> out.add(new FileChange('R', e.getNewPath(), e.getOldPath(), added, removed));
                    case MODIFY -> out.add(new FileChange('M', e.getNewPath(), null, added, removed));
                }
            }
            out.sort(java.util.Comparator.comparing(FileChange::path));
            return out;
        } catch (IOException e) {
            throw io("diff " + from + " " + to, e);
        }
    }

    private ObjectId tree(String commit) throws IOException {
        try (RevWalk walk = new RevWalk(repo())) {
            return walk.parseCommit(ObjectId.fromString(commit)).getTree().getId();
        }
    }

    @Override
    public List<String> indexDiffersFrom(String commit, List<String> paths) {
        try (TreeWalk walk = new TreeWalk(repo())) {
            walk.setRecursive(true);
            walk.addTree(tree(commit));
            walk.addTree(new DirCacheIterator(repo().readDirCache()));
            TreeFilter diff = TreeFilter.ANY_DIFF;
            walk.setFilter(paths.isEmpty() ? diff
                    : org.eclipse.jgit.treewalk.filter.AndTreeFilter.create(PathFilterGroup.createFromStrings(paths), diff));
            TreeSet<String> out = new TreeSet<>();
            while (walk.next()) {
                out.add(walk.getPathString());
            }
            return List.copyOf(out);
        } catch (IOException e) {
            throw io("compare the index with " + commit, e);
        }
    }

    @Override
    public String treeOf(String commit) {
        try {
            return tree(commit).name();
        } catch (IOException e) {
            throw io("read the tree of " + commit, e);
        }
    }

    @Override
    public boolean pathExists(String commit, String path) {
        try (TreeWalk walk = TreeWalk.forPath(repo(), path, tree(commit))) {
            return walk != null;
        } catch (IOException e) {
            throw io("look up " + path + " in " + commit, e);
        }
    }

    @Override
    public boolean refExists(String fullName) {
        try {
            return repo().exactRef(fullName) != null;
        } catch (IOException e) {
            throw io("read the ref " + fullName, e);
        }
    }

    @Override
    public void createBranch(String name, String commit) {
        try {
            git().branchCreate().setName(name).setStartPoint(commit).call();
        } catch (GitAPIException e) {
            throw api("create the branch " + name, e);
        }
    }

    @Override
    public boolean createBranchIfAbsent(String name, String commit) {
        try {
            git().branchCreate().setName(name).setStartPoint(commit).call();
            return true;
        } catch (org.eclipse.jgit.api.errors.RefAlreadyExistsException e) {
            return false;
        } catch (GitAPIException e) {
            throw api("create the branch " + name, e);
        }
    }

    @Override
    public void createTag(String name, String commit) {
        try (RevWalk walk = new RevWalk(repo())) {
            git().tag().setName(name).setObjectId(walk.parseCommit(ObjectId.fromString(commit)))
                    .setAnnotated(false).setSigned(false).call();
        } catch (GitAPIException e) {
            throw api("create the tag " + name, e);
        } catch (IOException e) {
            throw io("create the tag " + name, e);
        }
    }

    @Override
    public void resetHard(String commit) {
        try {
            git().reset().setMode(ResetCommand.ResetType.HARD).setRef(commit).call();
        } catch (GitAPIException e) {
            throw api("reset --hard " + commit, e);
        }
    }

    @Override
    public Optional<RevertConflict> revert(List<CommitInfo> commits, List<String> messages) {
        String start = head().commit();
        try (RevWalk walk = new RevWalk(repo())) {
            for (int i = 0; i < commits.size(); i++) {
                CommitInfo info = commits.get(i);
                RevCommit head = walk.parseCommit(repo().resolve(Constants.HEAD));
                RevCommit commit = walk.parseCommit(ObjectId.fromString(info.id()));
                RevCommit parent = walk.parseCommit(commit.getParent(0));
                ResolveMerger merger = (ResolveMerger) MergeStrategy.RECURSIVE.newMerger(repo());
                merger.setWorkingTreeIterator(new FileTreeIterator(repo()));
                merger.setBase(commit.getTree());
                merger.setCommitNames(new String[] {"BASE", "HEAD", "parent of " + info.shortId()});
                if (!merger.merge(head, parent)) {
                    List<String> paths = new ArrayList<>(merger.getUnmergedPaths());
                    if (merger.getFailingPaths() != null) {
                        paths.addAll(merger.getFailingPaths().keySet());
                    }
                    resetHard(start);
                    return Optional.of(new RevertConflict(info, paths.stream().distinct().sorted().toList()));
                }
                if (!AnyObjectId.isEqual(head.getTree().getId(), merger.getResultTreeId())) {
                    DirCache index = repo().lockDirCache();
                    DirCacheCheckout checkout = new DirCacheCheckout(repo(), head.getTree(), index,
                            merger.getResultTreeId());
                    checkout.setFailOnConflict(true);
                    checkout.checkout();
                }
                git().commit().setMessage(messages.get(i)).setAllowEmpty(true).setNoVerify(true).setSign(false)
                        .setReflogComment("revert: " + info.subject()).call();
            }
            return Optional.empty();
        } catch (GitAPIException e) {
            throw api("revert", e);
        } catch (IOException e) {
            throw io("revert", e);
        }
    }

    @Override
    public void restorePaths(String commit, List<String> paths) {
        try {
            // files under the paths that the commit does not have: removed, as `git restore` does
            List<String> extra = new ArrayList<>();
            try (TreeWalk walk = new TreeWalk(repo())) {
                walk.setRecursive(true);
                walk.addTree(tree(commit));
                walk.addTree(new DirCacheIterator(repo().readDirCache()));
                walk.setFilter(PathFilterGroup.createFromStrings(paths));
                while (walk.next()) {
                    if (walk.getRawMode(0) == 0 && walk.getRawMode(1) != 0) {
                        extra.add(walk.getPathString());
                    }
                }
            }
            if (!extra.isEmpty()) {
                var rm = git().rm();
                extra.forEach(rm::addFilepattern);
                rm.call();
            }
            git().checkout().setStartPoint(commit).addPaths(paths).setForced(true).call();
        } catch (GitAPIException e) {
            throw api("restore " + paths + " from " + commit, e);
        } catch (IOException e) {
            throw io("restore " + paths + " from " + commit, e);
        }
    }

    @Override
    public void close() {
        if (git != null) {
            git.close();
            git = null;
        }
    }

    private GitException io(String what, IOException e) {
        return new GitException(null, describe() + ": cannot " + what + ": " + e
                + "; check the repository with 'git fsck' and try again", e);
    }

    private GitException api(String what, GitAPIException e) {
        return new GitException(null, describe() + ": cannot " + what + ": " + e.getMessage()
                + "; check the repository's state with 'git status' and try again", e);
    }
}
