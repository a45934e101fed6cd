/**
 * What is not API in {@code dev.rollback.git}: the two ways of working on a repository (JGit on a
 * local tree, the {@code git} program through a host) behind one interface, and the uncommitted
 * changes saved as artifacts.
 */
package dev.rollback.git.internal;
