/**
 * Code targets for git working trees: {@link dev.rollback.git.GitCode} captures the commit a tree
 * is at and rolls it back by reset, by revert commits, or by restoring only some paths, with JGit
 * on this machine or the {@code git} program through any {@link dev.rollback.host.Host}.
 */
package dev.rollback.git;
