package dev.rollback.examples.systems;

import dev.rollback.examples.Demo;

import static dev.rollback.Scope.only;

import dev.rollback.RestorePoint;
import dev.rollback.Rollback;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackReport;
import dev.rollback.check.HealthCheck;
import dev.rollback.db.PostgresDatabase;
import dev.rollback.host.Host;
import dev.rollback.host.Hosts;
import dev.rollback.targets.CommandTarget;
import dev.rollback.targets.ConfigFiles;
import dev.rollback.targets.Service;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/**
 * Scenario 002, "blog": several Flask projects sharing one PostgreSQL database. A release's
 * migration wiped the bodies of the posts, changed the blog's {@code .env} and bumped both
 * projects' dependencies. The rollback stops the services in dependency order (the blog before the
 * auth service it uses), restores only the {@code posts} table (the users who registered since the
 * deploy keep their accounts), puts back both projects' {@code .env} and dependency locks, starts
 * the services again (auth first), and checks both health endpoints.
 *
 * <p>Runs its own PostgreSQL 15 server on 127.0.0.1 and needs Debian's 15.x client tools ({@code
 * pg_dump}, {@code pg_restore}) on the PATH.
 *
 * <pre>./mvnw -q -pl rollback-examples-systems -am compile exec:java -Dexec.mainClass=dev.rollback.examples.systems.BlogExample</pre>
 */
public final class BlogExample {

    private BlogExample() {}

    /** Runs the example in a fresh temp folder and prints the report. */
    public static void main(String[] args) throws Exception {
        System.out.println(run(Files.createTempDirectory("rollback-blog-")).toMarkdown());
    }

    /** Runs the example in {@code work} and returns the report of the rollback. */
    public static RollbackReport run(Path work) throws Exception {
        Host host = Hosts.local();
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().setServerConfig("listen_addresses", "127.0.0.1")
                .setPGStartupWait(Duration.ofSeconds(30)).start()) {
            createDatabase(pg);
            Path auth = project(work, "auth");
            Path blog = project(work, "blog");
            int authPort = Demo.freePort();
            int blogPort = Demo.freePort();
            Service authService = Demo.service("auth", authPort, auth, auth.resolve(".env"),
                    work.resolve("run/auth.pid"), work.resolve("logs/auth.log"));
            Service blogService = Demo.service("blog", blogPort, blog, blog.resolve(".env"),
                    work.resolve("run/blog.pid"), work.resolve("logs/blog.log"));
            authService.start(host);
            blogService.start(host);
            try {
                // tag::blog[]
                RollbackPlan plan = Rollback.plan("blog-platform")
                        .store(work.resolve("backups"))
                        .stop(blogService.stopping())                   // dependents first
                        .stop(authService.stopping())
                        .target(PostgresDatabase.of("127.0.0.1", pg.getPort(), "blog").user("postgres")
                                .named("posts").only("posts"))       // partial restore: one table
                        .target(ConfigFiles.of(auth.resolve(".env")).named("auth-env"))
                        .target(deps("auth-deps", auth))
                        .target(ConfigFiles.of(blog.resolve(".env")).named("blog-env"))
                        .target(deps("blog-deps", blog))
                        .start(authService.starting())                  // what others need, first
                        .start(blogService.starting())
                        .verify(HealthCheck.http(Demo.local(authPort, "/health")).expectStatus(200)
                                .attempts(40).every(Duration.ofMillis(250)))
                        .verify(HealthCheck.http(Demo.local(blogPort, "/health")).expectStatus(200)
                                .attempts(40).every(Duration.ofMillis(250)))
                        .build();

                RestorePoint before = plan.capture("v1.4.0");
                // end::blog[]

                deployBadRelease(pg, host, blogService, auth, blog);
                Demo.expectStatus(Demo.local(blogPort, "/health"), 500);

                RollbackReport report = plan.rollback(before,
                        only("posts", "auth-env", "auth-deps", "blog-env", "blog-deps"));

                Demo.require(count(pg, "SELECT count(*) FROM posts WHERE body <> ''") == 3,
                        "blog: the bodies of the posts should be back");
                Demo.require(count(pg, "SELECT count(*) FROM users WHERE name = 'grace'") == 1,
                        "blog: the user who registered after the deploy should keep her account");
                return report;
            } finally {
                blogService.stop(host);
                authService.stop(host);
            }
        }
    }

    /** A project's dependency lock, captured with cat and put back with cp, like {@code pip freeze} / {@code pip install -r}. */
    private static CommandTarget deps(String name, Path project) {
        return CommandTarget.of(name)
                .captureWith("cat", "requirements.lock")
                .restoreWith("cp", CommandTarget.ARTIFACT, "requirements.lock")
                .in(project);
    }

    private static Path project(Path work, String name) throws IOException {
        Path dir = Files.createDirectories(work.resolve("projects").resolve(name));
        Files.createDirectories(work.resolve("run"));
        Files.createDirectories(work.resolve("logs"));
        Files.createDirectories(dir.resolve("public"));
        Files.writeString(dir.resolve("public/index.html"), "<h1>" + name + "</h1>\n");
        Files.writeString(dir.resolve(".env"), "MODE=production\nSECRET_KEY=" + name + "-k3y-0f-the-day\n");
        Files.writeString(dir.resolve("requirements.lock"), "flask==2.2.2\nsqlalchemy==1.4.46\n");
        return dir;
    }

    private static void createDatabase(EmbeddedPostgres pg) throws SQLException {
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE blog");
        }
        try (Connection c = pg.getDatabase("postgres", "blog").getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE users (id serial PRIMARY KEY, name text NOT NULL)");
            s.execute("CREATE TABLE posts (id serial PRIMARY KEY, author_id int NOT NULL REFERENCES users, "
                    + "title text NOT NULL, body text NOT NULL)");
            s.execute("INSERT INTO users (name) VALUES ('ada'), ('linus')");
            s.execute("INSERT INTO posts (author_id, title, body) VALUES (1, 'Hello', 'First post.'), "
                    + "(2, 'Kernels', 'On schedulers.'), (1, 'Again', 'Second post.')");
        }
    }

    private static long count(EmbeddedPostgres pg, String sql) throws SQLException {
        try (Connection c = pg.getDatabase("postgres", "blog").getConnection(); Statement s = c.createStatement();
                java.sql.ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** v1.5.0: a migration that wipes the posts' bodies, a debug .env for the blog, newer dependencies. */
    private static void deployBadRelease(EmbeddedPostgres pg, Host host, Service blogService, Path auth, Path blog)
            throws Exception {
        try (Connection c = pg.getDatabase("postgres", "blog").getConnection(); Statement s = c.createStatement()) {
            s.execute("UPDATE posts SET body = ''");
            s.execute("INSERT INTO users (name) VALUES ('grace')");           // a user who registers after the deploy
        }
        Files.writeString(blog.resolve(".env"), "MODE=debug\nSECRET_KEY=blog-k3y-0f-the-day\n");
        Files.writeString(auth.resolve("requirements.lock"), "flask==3.0.0\nsqlalchemy==2.0.0\n");
        Files.writeString(blog.resolve("requirements.lock"), "flask==3.0.0\nsqlalchemy==2.0.0\n");
        blogService.stop(host);
        blogService.start(host);
    }
}
