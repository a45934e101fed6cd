package dev.rollback.db;

/**
 * The microblog's history of {@link AlembicRealHistoryTest} as a Flask application migrated with
 * Flask-Migrate ({@code flask db}, its env.py taking the engine from the application, foreign keys
 * on), through the same plan orders, failure policies, undo and crash.
 */
class FlaskMigrateRealHistoryTest extends AlembicRealHistoryTest {

    @Override
    boolean flask() {
        return true;
    }
}
