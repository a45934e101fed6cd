/**
 * Not API: what the database targets share (reading a catalog, counting rows, quoting identifiers,
 * exporting rows, encoding lists into snapshot data). May change in any release.
 */
package dev.rollback.db.internal;
