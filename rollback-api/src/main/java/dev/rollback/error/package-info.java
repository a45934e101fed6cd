/**
 * The root of the library's exceptions, {@link dev.rollback.error.RollbackException}: every module
 * throws a subclass of it, so one {@code catch} covers them all. It sits below every other package
 * (the host layer throws it too), which is why it is not in {@code dev.rollback} itself.
 */
package dev.rollback.error;
