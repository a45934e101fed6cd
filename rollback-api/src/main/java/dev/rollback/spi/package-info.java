/**
 * What modules and users implement to add targets to a plan: {@link dev.rollback.spi.Target} and
 * the contexts the engine hands it.
 */
package dev.rollback.spi;
