/**
 * Hosts: where commands run and files live. {@link dev.rollback.host.Host} is the abstraction every
 * target works through; {@link dev.rollback.host.Hosts#local()} is this machine. A {@link
 * dev.rollback.host.HeldCommand} is a command a host keeps running until its holder lets go, such as
 * a lock held with {@code flock}.
 */
package dev.rollback.host;
