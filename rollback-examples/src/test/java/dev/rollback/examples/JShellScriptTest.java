package dev.rollback.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/** The JShell script of the examples runs against the library as built, in a real JShell. */
class JShellScriptTest {

    @Test
    void shouldRollTheEnvFileBackFromJShell() throws Exception {
        Path jshell = Path.of(System.getProperty("java.home"), "bin", "jshell");
        assertThat(jshell).as("jshell of the JDK running the tests").isExecutable();

        Process p = new ProcessBuilder(jshell.toString(), "--class-path", classPath(), "jshell/rollback.jsh")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(out).contains("RESULT SUCCEEDED MODE=production").contains("SUCCEEDED RESTORE   restore config")
                .contains("-MODE=broken").contains("+MODE=production").doesNotContain("s3cret-value");
        assertThat(p.exitValue()).as(out).isZero();
    }

    /** This JVM's class path, with a manifest-only jar (as the test runner may use) expanded. */
    private static String classPath() throws IOException {
        List<String> entries = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (e.endsWith(".jar") && Path.of(e).getFileName().toString().startsWith("surefirebooter")) {
                try (JarFile jar = new JarFile(e)) {
                    String cp = jar.getManifest().getMainAttributes().getValue("Class-Path");
                    for (String url : cp.trim().split("\\s+")) {
                        entries.add(Path.of(URI.create(url)).toString());
                    }
                }
            } else {
                entries.add(e);
            }
        }
        return String.join(File.pathSeparator, entries);
    }
}
