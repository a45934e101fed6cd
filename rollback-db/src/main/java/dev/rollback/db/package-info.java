/**
 * Database targets for a rollback plan: SQLite, PostgreSQL and MySQL/MariaDB databases, migration
 * tools (Liquibase, Alembic, Flask-Migrate, Flyway, any command-line tool), integrity checks, and
 * the point of no return (data written after the restore point that a rollback would destroy).
 */
package dev.rollback.db;
