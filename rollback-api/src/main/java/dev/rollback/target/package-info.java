/**
 * Ready-made targets for the things most runbooks roll back: directories, files, commands and
 * services. Each is an immutable {@link dev.rollback.spi.Target} that does all its work through
 * the plan's {@link dev.rollback.host.Host}.
 */
package dev.rollback.target;
