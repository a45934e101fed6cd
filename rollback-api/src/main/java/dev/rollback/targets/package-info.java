/**
 * The generic targets: files, config, directories, commands, services, traffic. Each is a plain,
 * immutable object added to a plan with {@link dev.rollback.RollbackPlanBuilder#target}, and works on
 * any {@link dev.rollback.host.Host}: it does all its file and command work through the plan's host,
 * so the same target runs unchanged on this machine or on a server reached over SSH.
 */
package dev.rollback.targets;
