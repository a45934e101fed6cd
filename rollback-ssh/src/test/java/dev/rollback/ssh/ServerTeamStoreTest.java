package dev.rollback.ssh;

/** The team's records in a folder on the server the plan runs on. */
class ServerTeamStoreTest extends TeamStoreTest {

    @Override
    String records() {
        return "folder";
    }
}
