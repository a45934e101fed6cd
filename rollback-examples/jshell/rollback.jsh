// A rollback from JShell: roll a broken .env back, step by step, as a runbook would.
// Run it with rollback-examples/jshell/run.sh (it builds the class path), or paste it line by line.
import dev.rollback.*;
import dev.rollback.targets.*;
import java.nio.file.*;

Path work = Files.createTempDirectory("rollback-jshell-");
Path env = Files.writeString(work.resolve("app.env"), "MODE=production\nDB_PASSWORD=s3cret-value\n");

RollbackPlan plan = Rollback.plan("jshell-demo").store(work.resolve("backups")).target(ConfigFiles.of(env)).build();
RestorePoint before = plan.capture("v1.0.0");

Files.writeString(env, "MODE=broken\nDB_PASSWORD=s3cret-value\n");   // the bad deploy

System.out.println(plan.preview(before));        // what will change, in order, secrets masked
RollbackReport report = plan.rollback(before);
System.out.println(report);                      // one line per step (typed interactively, JShell shows it as is)
System.out.println("RESULT " + report.outcome() + " " + Files.readString(env).lines().findFirst().orElse(""));
/exit
