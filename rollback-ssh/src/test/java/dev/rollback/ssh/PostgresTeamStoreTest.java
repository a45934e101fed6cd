package dev.rollback.ssh;

import dev.rollback.testing.db.PostgresServer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

/** The team's records in PostgreSQL (its own schema), the artifacts on the server the plan runs on. */
@ExtendWith(PostgresServer.Extension.class)
class PostgresTeamStoreTest extends TeamStoreTest {

    private String records;

    @BeforeEach
    void database(PostgresServer db) {
        db.role("team", "teampw");
        db.recreate("team", "team");
        records = "pg jdbc:postgresql://127.0.0.1:" + db.port() + "/team team teampw rollback";
    }

    @Override
    String records() {
        return records;
    }
}
