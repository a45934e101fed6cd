package dev.rollback.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every Java snippet of the README is a region of example or test code that this build compiles. */
class ReadmeSnippetsTest {

    @Test
    void shouldTakeEveryJavaSnippetOfTheReadmeFromCompiledExamples() throws IOException {
        Path readme = Path.of("..", "README.md");
        String text = Files.readString(readme);
        Matcher blocks = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL).matcher(text);
        String sources;
        // the examples, and the test class of rollback-junit that the README's testing section shows
        try (Stream<Path> files = Stream.concat(Files.walk(Path.of("src/main/java")),
                Files.walk(Path.of("..", "rollback-junit", "src", "test", "java")))) {
            sources = files.filter(p -> p.toString().endsWith(".java")).map(p -> {
                try {
                    return normalise(Files.readString(p));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).collect(Collectors.joining("\n"));
        }
        List<String> snippets = new ArrayList<>();
        while (blocks.find()) {
            snippets.add(normalise(blocks.group(1)));
        }

        assertThat(snippets).isNotEmpty();
        for (String snippet : snippets) {
            assertThat(sources).as("README snippet must appear in rollback-examples sources").contains(snippet);
        }
    }

    private static String normalise(String code) {
        return code.lines().map(String::strip).filter(l -> !l.isEmpty()).collect(Collectors.joining("\n"));
    }
}
