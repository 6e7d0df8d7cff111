package io.fastlimit.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarInputStream;
import org.junit.jupiter.api.Test;

/**
 * The built jar keeps its promises: self-contained, nothing third-party visible to the application
 * under its original name, bootstrap classes only in the nested jar, Java 8 bytecode.
 */
class AgentJarTest {

  /** Packages of the libraries the agent bundles, as they are named outside the agent jar. */
  private static final String[] ORIGINAL_PACKAGES = {
    "net/bytebuddy/",
    "org/snakeyaml/",
    "org/yaml/",
    "io/lettuce/",
    "io/netty/",
    "reactor/",
    "org/reactivestreams/",
    "com/nimbusds/",
  };

  @Test
  void manifestDeclaresAgentEntryPointsAndRetransformation() throws IOException {
    try (JarFile jar = new JarFile(Build.agentJar().toFile())) {
      Attributes main = jar.getManifest().getMainAttributes();
      assertThat(main.getValue("Premain-Class")).isEqualTo("io.fastlimit.agent.FastlimitAgent");
      assertThat(main.getValue("Agent-Class")).isEqualTo("io.fastlimit.agent.FastlimitAgent");
      assertThat(main.getValue("Main-Class")).isEqualTo("io.fastlimit.agent.Main");
      assertThat(main.getValue("Can-Retransform-Classes")).isEqualTo("true");
    }
  }

  @Test
  void noThirdPartyClassIsVisibleUnderItsOriginalName() throws IOException {
    List<String> outside = new ArrayList<>();
    List<String> referencing = new ArrayList<>();
    try (JarFile jar = new JarFile(Build.agentJar().toFile())) {
      for (JarEntry entry : java.util.Collections.list(jar.entries())) {
        String name = entry.getName();
        if (entry.isDirectory() || name.startsWith("META-INF/")) {
          continue;
        }
        if (!name.startsWith("io/fastlimit/agent/")) {
          outside.add(name);
        }
        if (name.endsWith(".class")) {
          for (String constant : utf8Constants(read(jar, entry))) {
            for (String original : ORIGINAL_PACKAGES) {
              // a class name, or a descriptor or signature naming one
              if (constant.startsWith(original) || constant.contains("L" + original)) {
                referencing.add(name + " -> " + original);
              }
            }
          }
        }
      }
    }
    assertThat(outside).as("entries outside io/fastlimit/agent/").isEmpty();
    assertThat(referencing).as("classes still referring to unrelocated packages").isEmpty();
  }

  @Test
  void serviceFilesNameOnlyRelocatedInterfaces() throws IOException {
    // a service file named for an interface the application has would be found by its
    // ServiceLoader and fail on the relocated class behind it
    List<String> foreign = new ArrayList<>();
    try (JarFile jar = new JarFile(Build.agentJar().toFile())) {
      for (JarEntry entry : java.util.Collections.list(jar.entries())) {
        String name = entry.getName();
        if (name.startsWith("META-INF/services/")
            && !entry.isDirectory()
            && !name.startsWith("META-INF/services/io.fastlimit.agent.")) {
          foreign.add(name);
        }
      }
    }
    assertThat(foreign).isEmpty();
  }

  @Test
  void bootstrapClassesLiveOnlyInTheNestedJar() throws IOException {
    try (JarFile jar = new JarFile(Build.agentJar().toFile())) {
      assertThat(jar.getEntry("io/fastlimit/bootstrap/BridgeHolder.class")).isNull();
      JarEntry nested = jar.getJarEntry("META-INF/fastlimit/bootstrap.jar");
      assertThat(nested).isNotNull();
      List<String> classes = new ArrayList<>();
      try (JarInputStream in = new JarInputStream(new ByteArrayInputStream(read(jar, nested)))) {
        for (JarEntry entry; (entry = in.getNextJarEntry()) != null; ) {
          if (entry.getName().endsWith(".class")) {
            classes.add(entry.getName());
          }
        }
      }
      assertThat(classes)
          .contains("io/fastlimit/bootstrap/BridgeHolder.class")
          .allMatch(name -> name.startsWith("io/fastlimit/bootstrap/"));
    }
  }

  @Test
  void everyClassIsJava8Bytecode() throws IOException {
    List<String> newer = new ArrayList<>();
    try (JarFile jar = new JarFile(Build.agentJar().toFile())) {
      for (JarEntry entry : java.util.Collections.list(jar.entries())) {
        if (entry.getName().endsWith(".class")) {
          byte[] bytes = read(jar, entry);
          int major = ((bytes[6] & 0xff) << 8) | (bytes[7] & 0xff);
          if (major > 52) {
            newer.add(entry.getName() + " (major " + major + ")");
          }
        }
      }
    }
    assertThat(newer).as("classes a Java 8 JVM could not load").isEmpty();
  }

  /** The UTF-8 entries of a class file's constant pool: every name the class refers to. */
  private static List<String> utf8Constants(byte[] bytes) throws IOException {
    java.io.DataInputStream in = new java.io.DataInputStream(new ByteArrayInputStream(bytes));
    in.skipBytes(8); // magic, minor, major
    int count = in.readUnsignedShort();
    List<String> strings = new ArrayList<>();
    for (int i = 1; i < count; i++) {
      int tag = in.readUnsignedByte();
      switch (tag) {
        case 1 -> strings.add(in.readUTF());
        case 7, 8, 16, 19, 20 -> in.skipBytes(2);
        case 15 -> in.skipBytes(3);
        case 3, 4, 9, 10, 11, 12, 17, 18 -> in.skipBytes(4);
        case 5, 6 -> {
          in.skipBytes(8);
          i++; // longs and doubles take two slots
        }
        default -> throw new IOException("unknown constant pool tag " + tag);
      }
    }
    return strings;
  }

  private static byte[] read(JarFile jar, JarEntry entry) throws IOException {
    try (InputStream in = jar.getInputStream(entry)) {
      return in.readAllBytes();
    }
  }
}
