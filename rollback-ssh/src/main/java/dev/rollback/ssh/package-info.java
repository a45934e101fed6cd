/**
 * A {@link dev.rollback.host.Host} on a remote server, reached over SSH: {@link
 * dev.rollback.ssh.SshHost} runs commands through SSH exec and moves files through SFTP, so every
 * target written against {@code Host} runs there unchanged.
 *
 * <pre>{@code
 * SshHost server = SshHost.builder("10.0.0.5").user("rosey").privateKey(key).connect();
 * RollbackPlan plan = Rollback.plan("rosey").on(server)...build();
 * }</pre>
 */
package dev.rollback.ssh;
