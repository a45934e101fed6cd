/**
 * Implementation details: not API, may change in any release. Low-level helpers (files, text, diffs, logs,
 * masking, the local machine) that the host, target, check and engine packages share; they depend on no other
 * package of the project. The engine itself is {@code dev.rollback.internal.engine}.
 */
package dev.rollback.internal;
