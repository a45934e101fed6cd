/**
 * Generic targets and steps that work on any {@link dev.rollback.host.Host}: state captured and put
 * back by commands ({@link dev.rollback.target.CommandTarget}), services stopped and started around
 * a restore ({@link dev.rollback.target.Service}), and a blue-green traffic switch ({@link
 * dev.rollback.target.TrafficSwitch}).
 */
package dev.rollback.target;
