/**
 * Real database servers for tests, one of each per test run: embedded PostgreSQL 15 and MariaDB on
 * free ports of 127.0.0.1. Published in rollback-db's test-jar, so other modules test database
 * targets the way rollback-db does.
 */
package dev.rollback.db.testing;
