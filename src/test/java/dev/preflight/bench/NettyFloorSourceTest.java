package dev.preflight.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bench/compare.sh runs bench/floor/NettyFloor.java with Java's source launcher, outside the build:
 * this keeps it compiling, without warnings, against the Netty the jar carries, so that a Netty
 * upgrade that changes an API it uses fails here rather than in the middle of a benchmark run.
 */
class NettyFloorSourceTest {

    @Test
    void theFloorCompilesAgainstTheProjectsNetty(@TempDir Path out) throws Exception {
        Path source = Path.of("bench", "floor", "NettyFloor.java");
        assertThat(source).exists();
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        StringWriter messages = new StringWriter();
        boolean compiled;
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, null, null)) {
            compiled = javac.getTask(
                            messages,
                            files,
                            diagnostics,
                            List.of(
                                    "-Xlint:all",
                                    "-classpath",
                                    System.getProperty("java.class.path"),
                                    "-d",
                                    out.toString()),
                            null,
                            files.getJavaFileObjects(source))
                    .call();
        }
        assertThat(diagnostics.getDiagnostics()).as(messages.toString()).isEmpty();
        assertThat(compiled).isTrue();
        assertThat(Files.exists(out.resolve("NettyFloor.class"))).isTrue();
    }
}
