/**
 * Hosts: where commands run and files live. {@link dev.rollback.host.Host} is the abstraction every
 * target works through; {@link dev.rollback.host.Hosts#local()} is this machine.
 */
package dev.rollback.host;
