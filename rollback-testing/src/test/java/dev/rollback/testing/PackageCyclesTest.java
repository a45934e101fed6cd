package dev.rollback.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cycle check on packages compiled here, with and without circles. */
class PackageCyclesTest {

    @TempDir
    Path dir;

    @Test
    void shouldFindACircleOfThreePackagesAndTheUsesThatCloseIt() throws IOException {
        Path classes = compile(Map.of(
                "a.A", "package a; public class A { b.B b; }",
                "b.B", "package b; public class B { c.C c; }",
                "c.C", "package c; public class C { private a.A a; }",
                "d.D", "package d; public class D { a.A a; }"));
        PackageCycles check = PackageCycles.of(classes);
        assertThat(check.dependencies()).containsEntry("a", Set.of("b")).containsEntry("d", Set.of("a"));
        assertThat(check.cycles()).containsExactly("a <-> b <-> c (a -> b, b -> c, c -> a)");
        assertThatThrownBy(check::assertNone).isInstanceOf(AssertionError.class)
                .hasMessageContaining("use each other in a circle").hasMessageContaining("c -> a");
    }

    @Test
    void shouldPassALayeredModuleAndAnAllowedPairButNoThirdPackageJoiningIt() throws IOException {
        Path layered = compile(Map.of(
                "a.A", "package a; public class A { b.B b; }",
                "b.B", "package b; public class B { }"));
        PackageCycles.of(layered).assertNone();

        Path pair = compile(Map.of(
                "a.A", "package a; public class A { b.B b; }",
                "b.B", "package b; public class B { a.A a; }"));
        PackageCycles.of(pair).allowing("b", "a").assertNone();

        Path three = compile(Map.of(
                "a.A", "package a; public class A { b.B b; }",
                "b.B", "package b; public class B { a.A a; c.C c; }",
                "c.C", "package c; public class C { a.A a; }"));
        assertThat(PackageCycles.of(three).allowing("a", "b").cycles()).containsExactly(
                "a <-> b <-> c (a -> b, b -> a, b -> c, c -> a)");
    }

    @Test
    void shouldReportAnAllowedPairThatIsNoCycleAnyMore() throws IOException {
        Path layered = compile(Map.of(
                "a.A", "package a; public class A { b.B b; }",
                "b.B", "package b; public class B { }"));
        assertThat(PackageCycles.of(layered).allowing("a", "b").cycles())
                .containsExactly("the allowed pair a <-> b is no cycle any more: remove it from the check");
    }

    private Path compile(Map<String, String> sources) throws IOException {
        Path src = Files.createTempDirectory(dir, "src");
        Path out = Files.createTempDirectory(dir, "classes");
        List<String> args = new ArrayList<>(List.of("-d", out.toString()));
        for (Map.Entry<String, String> e : sources.entrySet()) {
            Path f = src.resolve(e.getKey().replace('.', '/') + ".java");
            Files.createDirectories(f.getParent());
            Files.writeString(f, e.getValue());
            args.add(f.toString());
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertThat(javac.run(null, null, null, args.toArray(String[]::new))).as("javac").isZero();
        return out;
    }
}
