package dev.rawsock.junit;

import dev.rawsock.testing.NativeTools;
import dev.rawsock.testing.Privileged;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The harness used the way the README says: another Maven project depends on the rawsock artifact (the
 * compiled classes as a jar, with this project's pom) and runs the README's example test, copied from the
 * README itself so the example cannot drift. Maven runs offline; the artifact comes from a file repository
 * in a temporary directory under a version of its own, removed from the local repository afterwards.
 */
class ConsumerProjectTest {
    private static final String TEST_VERSION = "0.0.0-consumer-test";

    @TempDir
    Path temp;

    @Test
    void theReadmeExampleRunsInAnotherMavenProject() throws Exception {
        Privileged.assumeRoot("the README's example sends raw packets and builds a lab");
        Path root = NativeTools.projectRoot();
        String readme = Files.readString(root.resolve("README.md"));
        Matcher example = Pattern.compile("An example test[^\\n]*\\n(?:[^\\n]+\\n)*\\n```java\\n(.*?)```", Pattern.DOTALL).matcher(readme);
        assertTrue(example.find(), "README.md has no ```java block after 'An example test'");
        String source = example.group(1);
        assertTrue(source.contains("class MyServerTest"), source);

        // The artifact: target/classes as a jar, and the pom under a version that no real install uses.
        Path artifactDir = temp.resolve("repo/dev/rawsock/rawsock/" + TEST_VERSION);
        Files.createDirectories(artifactDir);
        jar(root.resolve("target/classes"), artifactDir.resolve("rawsock-" + TEST_VERSION + ".jar"));
        String pom = Files.readString(root.resolve("pom.xml"));
        Matcher version = Pattern.compile("(<artifactId>rawsock</artifactId>\\s*<version>)([^<]+)(</version>)").matcher(pom);
        assertTrue(version.find(), "pom.xml: no version after <artifactId>rawsock</artifactId>");
        Files.writeString(artifactDir.resolve("rawsock-" + TEST_VERSION + ".pom"), version.replaceFirst("$1" + TEST_VERSION + "$3"));

        Path project = temp.resolve("consumer");
        Files.createDirectories(project.resolve("src/test/java"));
        Files.writeString(project.resolve("src/test/java/MyServerTest.java"), source);
        Files.writeString(project.resolve("pom.xml"), consumerPom(temp.resolve("repo"), pluginVersions(pom)));

        Path installed = Path.of(System.getProperty("user.home"), ".m2/repository/dev/rawsock/rawsock", TEST_VERSION);
        try {
            // -o: no network; file repositories stay readable offline (aether.offline.protocols).
            NativeTools.Result r = NativeTools.run(240, List.of("mvn", "-B", "--no-transfer-progress", "-o",
                    "-Daether.offline.protocols=file", "-f", project.resolve("pom.xml").toString(), "test"));
            assertEquals(0, r.exitCode(), () -> "the consumer project failed:\n" + r.stdout() + r.stderr());
            Path report = project.resolve("target/surefire-reports/TEST-MyServerTest.xml");
            String xml = Files.readString(report);
            assertTrue(xml.contains("tests=\"2\""), xml);
            assertTrue(xml.contains("failures=\"0\"") && xml.contains("errors=\"0\"") && xml.contains("skipped=\"0\""), xml);
        } finally {
            deleteTree(installed);
            // and the directories above it when only this test put them there
            for (Path dir = installed.getParent(); dir.endsWith("rawsock") && isEmptyDirectory(dir); dir = dir.getParent()) {
                Files.delete(dir);
            }
        }
    }

    /** The plugin versions this project pins (and so has in the local repository), for the offline build. */
    private static String pluginVersions(String pom) {
        StringBuilder plugins = new StringBuilder();
        for (String plugin : List.of("maven-resources-plugin", "maven-compiler-plugin", "maven-surefire-plugin")) {
            Matcher m = Pattern.compile("<artifactId>" + plugin + "</artifactId>\\s*<version>([^<]+)</version>").matcher(pom);
            assertTrue(m.find(), "pom.xml does not pin " + plugin);
            plugins.append("      <plugin><groupId>org.apache.maven.plugins</groupId><artifactId>").append(plugin)
                    .append("</artifactId><version>").append(m.group(1)).append("</version></plugin>\n");
        }
        return plugins.toString();
    }

    private static String consumerPom(Path repository, String plugins) {
        return """
                <?xml version="1.0" encoding="UTF-8"?>
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <modelVersion>4.0.0</modelVersion>
                  <groupId>example</groupId>
                  <artifactId>my-server</artifactId>
                  <version>1.0</version>
                  <properties>
                    <maven.compiler.release>17</maven.compiler.release>
                    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
                  </properties>
                  <repositories>
                    <repository><id>rawsock-under-test</id><url>%s</url></repository>
                  </repositories>
                  <dependencies>
                    <dependency>
                      <groupId>dev.rawsock</groupId><artifactId>rawsock</artifactId><version>%s</version><scope>test</scope>
                    </dependency>
                    <dependency>
                      <groupId>org.junit.jupiter</groupId><artifactId>junit-jupiter</artifactId><version>5.10.3</version><scope>test</scope>
                    </dependency>
                  </dependencies>
                  <build>
                    <plugins>
                %s    </plugins>
                  </build>
                </project>
                """.formatted(repository.toUri(), TEST_VERSION, plugins);
    }

    private static void jar(Path classes, Path target) throws IOException {
        try (OutputStream file = Files.newOutputStream(target); JarOutputStream out = new JarOutputStream(file);
             Stream<Path> files = Files.walk(classes)) {
            for (Path p : files.filter(Files::isRegularFile).sorted().toList()) {
                out.putNextEntry(new JarEntry(classes.relativize(p).toString().replace('\\', '/')));
                Files.copy(p, out);
                out.closeEntry();
            }
        }
    }

    private static boolean isEmptyDirectory(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
