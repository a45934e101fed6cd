/**
 * Where a store keeps its records, and the lock its plans share: {@link dev.rollback.store.StoreBackend}, with a
 * folder on this machine or on a server ({@link dev.rollback.store.StoreBackend#onHost}); PostgreSQL is in {@code
 * rollback-db}. Implement {@code StoreBackend} to keep records elsewhere, and test it with the testing kit's {@code
 * StoreBackendContract}.
 */
package dev.rollback.store;
