package dev.rollback.targets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.rollback.CaptureFailedException;
import dev.rollback.Outcome;
import dev.rollback.PreflightFailedException;
import dev.rollback.RestorePoint;
import dev.rollback.Rollback;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackPreview;
import dev.rollback.RollbackReport;
import dev.rollback.spi.Step;
import dev.rollback.StepRecord;
import dev.rollback.StepStatus;
import dev.rollback.TargetState;
import dev.rollback.host.Hosts;
import dev.rollback.testing.TestClock;
import dev.rollback.testing.Trees;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigFilesTest {

    @TempDir
    Path dir;

    final TestClock clock = new TestClock();
    Path app;
    Path env;
    Path json;
    Path yaml;
    Path props;

    static final String ENV_V1 = """
            # shop settings
            APP_ENV=production
            export DB_HOST=db.internal
            DB_PASSWORD="old-pa55word"
            API_KEY=k-1111-aaaa
            """;
    static final String JSON_V1 = "{\n  \"featureFlags\": {\"newCheckout\": false},\n  \"apiToken\": \"tok-json-1111\"\n}\n";
    static final String YAML_V1 = """
            services:
              web:
                image: "shop:1.4"
                environment:
                  - POSTGRES_PASSWORD=yaml-pass-1111
                ports: ["8080:8080"]
            """;
    static final String PROPS_V1 = "server.port=8080\nspring.datasource.password=props-pass-1111\n";

    @BeforeEach
    void files() throws Exception {
        app = Files.createDirectories(dir.resolve("app"));
        env = Files.writeString(app.resolve(".env"), ENV_V1);
        Files.setPosixFilePermissions(env, PosixFilePermissions.fromString("rw-------"));
        json = Files.writeString(app.resolve("settings.json"), JSON_V1);
        yaml = Files.writeString(app.resolve("docker-compose.yml"), YAML_V1);
        props = Files.writeString(app.resolve("application.properties"), PROPS_V1);
    }

    RollbackPlan plan(ConfigFiles config) {
        return Rollback.plan("shop").store(dir.resolve("store")).on(Hosts.local()).clock(clock).sleeper(clock::advance)
                .target(config).build();
    }

    void badDeploy() throws Exception {
        Files.writeString(env, "APP_ENV=production\nDB_PASSWORD=\"new-pa55word\"\nAPI_KEY=k-2222-bbbb\nNEW=1\n");
        Files.writeString(json, "{\"featureFlags\": {\"newCheckout\": true}, \"apiToken\": \"tok-json-2222\"}");
        Files.writeString(yaml, YAML_V1.replace("shop:1.4", "shop:1.5"));
        Files.writeString(props, "server.port=9090\nspring.datasource.password=props-pass-2222\n");
    }

    static byte[] bytes(Path p) throws Exception {
        return Files.readAllBytes(p);
    }

    static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    @Test
    void shouldRestoreEnvJsonYamlAndPropertiesByteForByte() throws Exception {
        RollbackPlan plan = plan(ConfigFiles.of(env, json, yaml, props));
        RestorePoint before = plan.capture("v1.4");
        badDeploy();

        RollbackReport report = plan.rollback(before);

        assertThat(report.outcome()).as(report.errors().toString()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(Files.readString(env)).isEqualTo(ENV_V1);
        assertThat(Files.readString(json)).isEqualTo(JSON_V1);
        assertThat(Files.readString(yaml)).isEqualTo(YAML_V1);
        assertThat(Files.readString(props)).isEqualTo(PROPS_V1);
        assertThat(report.target("config").orElseThrow().state()).isEqualTo(TargetState.VERIFIED);
        assertThat(report.checks()).singleElement().satisfies(c -> assertThat(c.detail())
                .contains("4 files match the capture and validate"));
    }

    @Test
    void shouldFailVerificationWhenAFileChangesAfterTheRestore() throws Exception {
        RollbackPlan plan = Rollback.plan("shop").store(dir.resolve("store")).clock(clock).sleeper(clock::advance)
                .target(ConfigFiles.of(env, json))
                .start(Step.of("start app", ctx -> Files.writeString(env, "APP_ENV=rewritten-by-the-app\n")))
                .build();
        RestorePoint before = plan.capture("v1.4");
        badDeploy();

        RollbackReport report = plan.rollback(before);

        assertThat(report.isSuccessful()).isFalse();
        assertThat(report.checks()).singleElement().satisfies(c -> {
            assertThat(c.passed()).isFalse();
            assertThat(c.detail()).startsWith(env + " differs from the capture (SHA-256 ");
        });
    }

    @Test
    void shouldKeepMode0600OfAnEnvFileAcrossARestore() throws Exception {
        RollbackPlan plan = plan(ConfigFiles.of(env));
        RestorePoint before = plan.capture("v1.4");
        badDeploy();
        Files.setPosixFilePermissions(env, PosixFilePermissions.fromString("rw-r--r--"));

        RollbackReport report = plan.rollback(before);

        assertThat(report.isSuccessful()).as(report.errors().toString()).isTrue();
        assertThat(mode(env)).isEqualTo("rw-------");
        assertThat(Files.readString(env)).isEqualTo(ENV_V1);
        assertThat(before.snapshot("config").orElseThrow().data()).containsEntry("file.0.mode", "0600")
                .containsEntry("file.0.owner", Files.getOwner(env).getName());
    }

    @Test
    void shouldRecreateAFileTheDeployDeletedAndRemoveItAgainOnUndo() throws Exception {
        RollbackPlan plan = plan(ConfigFiles.of(env, json));
        RestorePoint before = plan.capture("v1.4");
        Files.delete(env);

        RollbackReport report = plan.rollback(before);

        assertThat(report.isSuccessful()).as(report.errors().toString()).isTrue();
        assertThat(Files.readString(env)).isEqualTo(ENV_V1);
        assertThat(mode(env)).isEqualTo("rw-------");

        RollbackReport undo = plan.undo(report);

        assertThat(undo.isSuccessful()).as(undo.errors().toString()).isTrue();
        assertThat(env).doesNotExist();
        assertThat(Files.readString(json)).isEqualTo(JSON_V1);
    }

    @Test
    void shouldRefuseToCaptureAnInvalidFileNamingFileFormatAndLineAndStoreNothing() throws Exception {
        Files.writeString(env, "APP_ENV=production\nDB_PASSWORD=\"unterminated-s3cret\nAPI_KEY=k-1111-aaaa\n");
        Files.writeString(json, "{\n  \"a\": 1,\n  oops\n}\n");
        RollbackPlan plan = plan(ConfigFiles.of(env, json, yaml));

        assertThatThrownBy(() -> plan.capture("v1.4"))
                .isInstanceOf(CaptureFailedException.class)
                .hasMessageContaining("expected " + env + " to be valid dotenv, found line 2, column 13: expected a "
                        + "closing \" for the value of DB_PASSWORD")
                .hasMessageContaining("expected " + json + " to be valid json, found line 3, column 3")
                .hasMessageContaining("fix the file")
                .hasMessageContaining("no restore point was stored")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("unterminated-s3cret", "k-1111-aaaa"));

        assertThat(plan.restorePoints()).isEmpty();
    }

    @Test
    void shouldRefuseToCaptureInvalidYamlOrProperties() throws Exception {
        Files.writeString(yaml, "services:\n  web:\n    image: x\n   bad: [1\n");
        Files.writeString(props, "a=1\nb=\\uZZ\n");

        assertThatThrownBy(() -> plan(ConfigFiles.of(yaml, props)).capture("v1"))
                .hasMessageContaining(yaml + " to be valid yaml, found line ")
                .hasMessageContaining(props + " to be valid properties, found line 2, column 3: expected a unicode "
                        + "escape");
    }

    @Test
    void shouldRefuseToCaptureAMissingFileOrAFolderWithAClearMessage() throws Exception {
        Path missing = app.resolve("missing.env");
        Path folder = Files.createDirectories(app.resolve("conf.d.json"));

        assertThatThrownBy(() -> plan(ConfigFiles.of(env, missing, folder)).capture("v1"))
                .isInstanceOf(CaptureFailedException.class)
                .hasMessageContaining("config target 'config' refuses to capture")
                .hasMessageContaining("expected the file " + missing + " (dotenv) on host local, found nothing there; "
                        + "create it, or leave it out of ConfigFiles.of(...)")
                .hasMessageContaining("expected a regular file at " + folder + ", found a folder");
    }

    @Test
    void shouldRefuseACaptureWhoseValidationCommandFails() throws Exception {
        // the command prints the file, secrets and all, and fails: the message must not repeat them
        RollbackPlan plan = plan(ConfigFiles.of(env).validatedBy(List.of("sh", "-c", "cat \"$0\"; exit 3", env.toString())));

        assertThatThrownBy(() -> plan.capture("v1"))
                .hasMessageContaining("expected the validation command to exit 0, found: 'sh -c")
                .hasMessageContaining("exited 3")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("old-pa55word", "k-1111-aaaa")
                        .contains("DB_PASSWORD=\"****\""));
        assertThat(plan.restorePoints()).isEmpty();
    }

    @Test
    void shouldSetAsideAnInvalidFailedStateAndPutItBackByteForByteOnUndo() throws Exception {
        RollbackPlan plan = plan(ConfigFiles.of(env, json));
        RestorePoint before = plan.capture("v1.4");
        Files.writeString(env, "APP_ENV=production\nthis line breaks the file\n");
        Files.writeString(json, "{\"broken\": ");
        byte[] badEnv = bytes(env);
        byte[] badJson = bytes(json);

        RollbackReport report = plan.rollback(before);

        assertThat(report.isSuccessful()).as(report.errors().toString()).isTrue();
        assertThat(report.setAsidePointId()).isNotNull();
        assertThat(Files.readString(env)).isEqualTo(ENV_V1);

        RollbackReport undo = plan.undo(report);

        assertThat(undo.isSuccessful()).as(undo.errors().toString()).isTrue();
        assertThat(bytes(env)).isEqualTo(badEnv);
        assertThat(bytes(json)).isEqualTo(badJson);
    }

    @Test
    void shouldUndoARestoreWhoseResultFailsTheValidationCommandAndFailTheStep() throws Exception {
        // the validator passes while the marker says ok; the environment breaks before the rollback
        Path marker = Files.writeString(dir.resolve("validator state"), "ok\n");
        ConfigFiles config = ConfigFiles.of(env, json, yaml)
                .validatedBy(List.of("sh", "-c", "grep -q ok \"$0\"", marker.toString()));
        RollbackPlan plan = plan(config);
        RestorePoint before = plan.capture("v1.4");
        badDeploy();
        Files.setPosixFilePermissions(env, PosixFilePermissions.fromString("rw-r-----"));
        Files.writeString(marker, "failing\n");
        Map<String, String> deployed = Trees.fingerprint(app);
        byte[] deployedEnv = bytes(env);

        RollbackReport report = plan.rollback(before);

        assertThat(report.isSuccessful()).isFalse();
        StepRecord restore = report.steps().stream().filter(s -> "restore config".equals(s.name())).findFirst()
                .orElseThrow();
        assertThat(restore.status()).isEqualTo(StepStatus.FAILED);
        assertThat(restore.detail()).contains("expected the restored files to validate")
                .contains("expected the validation command to exit 0").contains("exited 1")
                .contains("the restore was undone: every file was put back as it was just before it, byte for byte");
        assertThat(bytes(env)).isEqualTo(deployedEnv);
        assertThat(mode(env)).isEqualTo("rw-r-----");
        assertThat(Files.readString(json)).isEqualTo(
                "{\"featureFlags\": {\"newCheckout\": true}, \"apiToken\": \"tok-json-2222\"}");
        assertThat(Trees.fingerprint(app).keySet()).isEqualTo(deployed.keySet());
    }

    @Test
    void shouldUndoTheFilesAlreadyWrittenWhenALaterWriteFails() throws Exception {
        // a name the file system accepts, but too long for the temp file beside it: the second write fails
        Path longName = Files.writeString(app.resolve("x".repeat(230) + ".json"), "{\"v\": 1}\n");
        RollbackPlan plan = plan(ConfigFiles.of(env, longName));
        RestorePoint before = plan.capture("v1.4");
        badDeploy();
        Files.writeString(longName, "{\"v\": 2}\n");
        byte[] deployedEnv = bytes(env);

        RollbackReport report = plan.rollback(before);

        assertThat(report.isSuccessful()).isFalse();
        assertThat(report.errors()).singleElement().asString()
                .contains("expected to write " + longName)
                .contains("the restore was undone: every file was put back as it was just before it");
        assertThat(bytes(env)).isEqualTo(deployedEnv);
        assertThat(Files.readString(longName)).isEqualTo("{\"v\": 2}\n");
    }

    @Test
    void shouldGiveAFileBackToItsCapturedOwnerWhenRunningAsRoot() throws Exception {
        assumeTrue(Hosts.local().canChangeOwners(), "only root can change owners");
        var users = env.getFileSystem().getUserPrincipalLookupService();
        Files.setOwner(env, users.lookupPrincipalByName("nobody"));
        RollbackPlan plan = plan(ConfigFiles.of(env));
        RestorePoint before = plan.capture("v1.4");
        Files.delete(env);
        Files.writeString(env, "APP_ENV=deployed-by-root\n");
        assertThat(Files.getOwner(env).getName()).isEqualTo("root");

        RollbackReport report = plan.rollback(before);

        assertThat(report.isSuccessful()).as(report.errors().toString()).isTrue();
        assertThat(Files.getOwner(env).getName()).isEqualTo("nobody");
        assertThat(Files.readString(env)).isEqualTo(ENV_V1);
    }

    @Test
    void shouldUndoARestoreWhoseResultFailsABuiltInValidator() throws Exception {
        // captured as plain text, validated as JSON only from now on: the captured content is not JSON
        Path notes = Files.writeString(app.resolve("notes.txt"), "not json at all\n");
        RestorePoint before = plan(ConfigFiles.of(notes)).capture("v1");
        Files.writeString(notes, "{\"now\": \"json\"}\n");
        byte[] deployed = bytes(notes);

        RollbackReport report = plan(ConfigFiles.of(notes).validatedAs(Format.JSON)).rollback(before);

        assertThat(report.isSuccessful()).isFalse();
        assertThat(report.errors()).singleElement().asString()
                .contains(notes + " is not valid json: line 1, column 1: ").contains("undone");
        assertThat(bytes(notes)).isEqualTo(deployed);
    }

    @Test
    void shouldPreviewAUnifiedDiffWithMaskedSecretsAndChangeNothing() throws Exception {
        RollbackPlan plan = plan(ConfigFiles.of(env, json, yaml, props));
        RestorePoint before = plan.capture("v1.4");
        badDeploy();
        Files.writeString(yaml, YAML_V1); // one file back as captured
        Map<String, String> fingerprint = Trees.fingerprint(dir);

        RollbackPreview preview = plan.preview(before);

        assertThat(Trees.fingerprint(dir)).isEqualTo(fingerprint);
        assertThat(preview.isReady()).as(preview.problems().toString()).isTrue();
        List<String> actions = preview.stepsOf("config").stream().flatMap(s -> s.actions().stream()).toList();
        String text = String.join("\n", actions);
        String nl = System.lineSeparator();
        assertThat(text).contains("replace " + env + " (dotenv) atomically with the captured content:" + nl
                + "--- " + env + " (now)" + nl + "+++ " + env + " (restore point " + before.id() + ")" + nl
                + "@@ -1,4 +1,5 @@" + nl
                + "+# shop settings" + nl
                + " APP_ENV=production" + nl
                + "-DB_PASSWORD=****" + nl
                + "-API_KEY=****" + nl
                + "-NEW=1" + nl
                + "+export DB_HOST=db.internal" + nl
                + "+DB_PASSWORD=****" + nl
                + "+API_KEY=****");
        assertThat(text).contains("-server.port=9090", "+server.port=8080", "-spring.datasource.password=****",
                "+spring.datasource.password=****");
        assertThat(text).contains("\"apiToken\": \"****\"").contains("\\ No newline at end of file");
        assertThat(text).contains(yaml + " (yaml) unchanged: identical to the capture");
        assertThat(text).contains("then validate: the built-in dotenv, json, yaml, properties check");
        assertThat(preview.toString()).doesNotContain("old-pa55word", "new-pa55word", "k-1111-aaaa", "k-2222-bbbb",
                "tok-json-1111", "tok-json-2222", "props-pass-1111", "props-pass-2222", "yaml-pass-1111");
    }

    @Test
    void shouldShowAModeChangeAndACreationInThePreview() throws Exception {
        RollbackPlan plan = plan(ConfigFiles.of(env, props));
        RestorePoint before = plan.capture("v1.4");
        Files.setPosixFilePermissions(env, PosixFilePermissions.fromString("rw-r--r--"));
        Files.delete(props);

        String text = String.join("\n", plan.preview(before).stepsOf("config").stream()
                .flatMap(s -> s.actions().stream()).toList());

        assertThat(text).contains(env + " (dotenv) unchanged: identical to the capture; set its mode 0644 -> 0600");
        assertThat(text).contains("create " + props + " (properties) with mode 0644 with the captured content:")
                .contains("--- /dev/null").contains("@@ -0,0 +1,2 @@").contains("+spring.datasource.password=****");
    }

    @Test
    void shouldWorkWithFileNamesHoldingSpacesQuotesAndCommandSubstitutionWithoutInjection() throws Exception {
        Path odd = Files.createDirectories(app.resolve("my $(touch INJECTED) 'dir'"));
        Path file = Files.writeString(odd.resolve("it's \"a\" $(touch INJECTED2);.env"), "A=ok\n");
        ConfigFiles config = ConfigFiles.of(file)
                .validatedBy(List.of("sh", "-c", "grep -q ok \"$0\"", file.toString()));
        RollbackPlan plan = plan(config);
        RestorePoint before = plan.capture("v1");
        Files.writeString(file, "A=changed ok\n");

        assertThat(plan.preview(before).isReady()).isTrue();
        RollbackReport report = plan.rollback(before);

        assertThat(report.isSuccessful()).as(report.errors().toString()).isTrue();
        assertThat(Files.readString(file)).isEqualTo("A=ok\n");
        try (var all = Files.walk(dir)) {
            assertThat(all.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("INJECTED"));
        }
        assertThat(Path.of("INJECTED")).doesNotExist();
        assertThat(Path.of("INJECTED2")).doesNotExist();
    }

    @Test
    void shouldRefuseARollbackWhoseFolderIsGoneBeforeChangingAnything() throws Exception {
        Path sub = Files.createDirectories(dir.resolve("conf"));
        Path cfg = Files.writeString(sub.resolve("app.json"), "{}");
        RollbackPlan plan = plan(ConfigFiles.of(cfg, env));
        RestorePoint before = plan.capture("v1");
        Files.delete(cfg);
        Files.delete(sub);
        Files.writeString(env, "CHANGED=1\n");
        Map<String, String> fingerprint = Trees.fingerprint(app);

        assertThatThrownBy(() -> plan.rollback(before))
                .isInstanceOf(PreflightFailedException.class)
                .hasMessageContaining("expected the folder " + sub + " of " + cfg + " on host local, found nothing "
                        + "there; create the folder");
        assertThat(Trees.fingerprint(app)).isEqualTo(fingerprint);
    }

    @Test
    void shouldRefuseARollbackWhenTheValidationProgramIsNotInstalled() throws Exception {
        RestorePoint before = plan(ConfigFiles.of(env)).capture("v1");

        assertThatThrownBy(() -> plan(ConfigFiles.of(env).validatedBy(List.of("no-such-validator-xyz", "-t")))
                .rollback(before))
                .isInstanceOf(PreflightFailedException.class)
                .hasMessageContaining("the validation program 'no-such-validator-xyz' on host local");
    }

    @Test
    void shouldRefuseATargetThatChangedItsFilesSinceTheCapture() throws Exception {
        RestorePoint before = plan(ConfigFiles.of(env)).capture("v1");

        assertThatThrownBy(() -> plan(ConfigFiles.of(env, json)).rollback(before))
                .isInstanceOf(PreflightFailedException.class)
                .hasMessageContaining("the target changed since the capture");
    }

    @Test
    void shouldValidateItsConfigurationWhereItIsGiven() {
        assertThatThrownBy(ConfigFiles::of).hasMessageContaining("expected at least one file");
        assertThatThrownBy(() -> ConfigFiles.of(env, env.resolveSibling("x/../.env")))
                .hasMessageContaining("found " + env.resolveSibling("x/../.env") + " twice");
        assertThatThrownBy(() -> ConfigFiles.of(env).named("bad name")).hasMessageContaining("found 'bad name'");
        assertThatThrownBy(() -> ConfigFiles.of(env).validatedBy(List.of())).hasMessageContaining("empty argv");
        assertThatThrownBy(() -> ConfigFiles.of(env).validatedAs(json, Format.JSON))
                .hasMessageContaining("expected one of its files [" + env + "]");

        ConfigFiles config = ConfigFiles.of(env, Path.of("/etc/app/settings")).named("app-config")
                .validatedAs(Path.of("/etc/app/settings"), Format.PROPERTIES);
        assertThat(config.name()).isEqualTo("app-config");
        assertThat(config.format(env)).isEqualTo(Format.DOTENV);
        assertThat(config.format(Path.of("/etc/app/settings"))).isEqualTo(Format.PROPERTIES);
        assertThat(config.validatedAs(Format.PLAIN).format(env)).isEqualTo(Format.PLAIN);
        assertThat(config.format(env)).as("immutable").isEqualTo(Format.DOTENV);
    }

    @Test
    void shouldCaptureAnyFileAsPlainAndRestoreBinaryContent() throws Exception {
        Path blob = Files.write(app.resolve("keystore.bin"), new byte[] {0, 1, 2, (byte) 0xff, 10});
        RollbackPlan plan = plan(ConfigFiles.of(blob));
        RestorePoint before = plan.capture("v1");
        Files.write(blob, new byte[] {9, 9});

        assertThat(String.join("\n", plan.preview(before).stepsOf("config").get(0).actions()))
                .isNotEmpty();
        String text = plan.preview(before).toString();
        assertThat(text).contains("(binary content: 2 bytes now, 5 bytes captured)");
        assertThat(plan.rollback(before).isSuccessful()).isTrue();
        assertThat(bytes(blob)).isEqualTo(new byte[] {0, 1, 2, (byte) 0xff, 10});
        assertThat(new String(bytes(blob), StandardCharsets.ISO_8859_1)).hasSize(5);
    }
}
