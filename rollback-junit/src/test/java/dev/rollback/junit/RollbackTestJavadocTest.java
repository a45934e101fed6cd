package dev.rollback.junit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The complete test class in {@link RollbackTest}'s documentation is {@link ShopRollbackTest}, which runs. */
class RollbackTestJavadocTest {

    @Test
    void shouldShowInTheDocumentationTheTestClassThatRuns() throws IOException {
        String doc = Files.readString(Path.of("src/main/java/dev/rollback/junit/RollbackTest.java"));
        String example = doc.substring(doc.indexOf("<pre>{@code") + "<pre>{@code".length(), doc.indexOf("}</pre>"));
        String source = Files.readString(Path.of("src/test/java/dev/rollback/junit/ShopRollbackTest.java"));

        String documented = normalise(example.lines().map(l -> l.replaceFirst("^\\s*\\* ?", ""))
                .collect(Collectors.joining("\n")));
        assertThat(documented).startsWith("import static dev.rollback.junit.RollbackAssertions.assertThat;");
        String cls = documented.substring(documented.indexOf("@RollbackTest"));
        assertThat(normalise(source)).contains(cls);
    }

    private static String normalise(String code) {
        return code.lines().map(String::strip).filter(l -> !l.isEmpty()).collect(Collectors.joining("\n"));
    }
}
