package dev.rollback.junit;

import dev.rollback.spi.Check;
import dev.rollback.Rollback;
import dev.rollback.RollbackPlanBuilder;
import dev.rollback.testing.FileTarget;
import dev.rollback.testing.TestClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A tiny system of real files in a temp folder: a page and the orders, each a target of the plan. */
final class Shop {

    final TestClock clock = new TestClock();
    final Path page;
    final Path orders;
    final Path store;

    Shop(Path dir) throws IOException {
        page = dir.resolve("www").resolve("index.html");
        orders = dir.resolve("data").resolve("orders.csv");
        store = dir.resolve("store");
        Files.createDirectories(page.getParent());
        Files.createDirectories(orders.getParent());
        Files.writeString(page, "<h1>Shop v1.0.0</h1>\n");
        Files.writeString(orders, "1,apples\n2,pears\n");
    }

    /** The plan of both files, on the test clock, proving the page is back. */
    RollbackPlanBuilder plan() {
        return Rollback.plan("shop").store(store).clock(clock).sleeper(clock::advance)
                .target(new FileTarget("page", page))
                .target(new FileTarget("orders", orders))
                .verify(Check.of("page is v1.0.0", () -> Files.readString(page).contains("v1.0.0")));
    }

    void deploy(String html) throws IOException {
        Files.writeString(page, html);
    }
}
