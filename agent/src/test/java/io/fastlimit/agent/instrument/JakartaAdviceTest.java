package io.fastlimit.agent.instrument;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.commons.ClassRemapper;
import net.bytebuddy.jar.asm.commons.Remapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JakartaAdviceTest {

  /** The build made them: the agent no longer renames at start, so without them no limits. */
  @Test
  void jakartaAdviceIsInTheAgentsClassesAndNamesNoJavaxType() throws Exception {
    for (String name :
        new String[] {
          JakartaAdvice.NAME,
          JakartaAdvice.FILTER_EXIT_NAME,
          JakartaAdvice.COMPLETION_EXIT_NAME,
          JakartaAdvice.RECEIVED_ADDRESS_NAME
        }) {
      List<String> types = typesNamed(classFile(name));

      assertThat(types).as(name).noneMatch(type -> type.startsWith("javax/servlet/"));
      assertThat(types).as(name).anyMatch(type -> type.startsWith("jakarta/servlet/"));
    }
  }

  @Test
  void everyClassNamingJavaxServletGetsAJakartaCopyWithItsNestedClasses(@TempDir Path classes)
      throws IOException {
    Path instrument = Files.createDirectories(classes.resolve("io/fastlimit/agent/instrument"));
    // real classes of the agent, copied in: one naming javax.servlet, one naming nothing of it
    copy(ServletApiAdvice.class.getName(), instrument);
    copy(EntryPointPrefilter.class.getName(), instrument);
    copy(EntryPointPrefilter.class.getName() + "$Scanned", instrument);

    Map<String, String> renamed = JakartaAdvice.generate(classes.toFile());

    assertThat(renamed)
        .containsOnly(
            org.assertj.core.api.Assertions.entry(
                "io/fastlimit/agent/instrument/ServletApiAdvice",
                "io/fastlimit/agent/instrument/JakartaServletApiAdvice"));
    byte[] copy = Files.readAllBytes(instrument.resolve("JakartaServletApiAdvice.class"));
    assertThat(new ClassReader(copy).getClassName())
        .isEqualTo("io/fastlimit/agent/instrument/JakartaServletApiAdvice");
    assertThat(typesNamed(copy)).noneMatch(type -> type.startsWith("javax/servlet/"));
    assertThat(instrument.resolve("JakartaEntryPointPrefilter.class")).doesNotExist();
  }

  @Test
  void aNestedClassMovesWithItsOuterClass(@TempDir Path classes) throws IOException {
    Path instrument = Files.createDirectories(classes.resolve("io/fastlimit/agent/instrument"));
    copy(ServletApiAdvice.class.getName(), instrument);
    // stands for a nested class of the advice that names no servlet type (a switch map, say)
    Files.write(
        instrument.resolve("ServletApiAdvice$Nested.class"),
        classFile(EntryPointPrefilter.class.getName() + "$Scanned"));

    Map<String, String> renamed = JakartaAdvice.generate(classes.toFile());

    assertThat(renamed)
        .containsEntry(
            "io/fastlimit/agent/instrument/ServletApiAdvice$Nested",
            "io/fastlimit/agent/instrument/JakartaServletApiAdvice$Nested");
    assertThat(instrument.resolve("JakartaServletApiAdvice$Nested.class")).exists();
  }

  private static void copy(String className, Path directory) throws IOException {
    String simple = className.substring(className.lastIndexOf('.') + 1);
    Files.write(directory.resolve(simple + ".class"), classFile(className));
  }

  private static byte[] classFile(String className) throws IOException {
    try (InputStream in =
        JakartaAdviceTest.class
            .getClassLoader()
            .getResourceAsStream(className.replace('.', '/') + ".class")) {
      assertThat(in).as(className + " on the class path").isNotNull();
      return in.readAllBytes();
    }
  }

  private static List<String> typesNamed(byte[] classFile) {
    List<String> types = new ArrayList<>();
    new ClassReader(classFile)
        .accept(
            new ClassRemapper(
                new ClassWriter(0),
                new Remapper(Opcodes.ASM9) {
                  @Override
                  public String map(String internalName) {
                    types.add(internalName);
                    return internalName;
                  }
                }),
            0);
    return types;
  }
}
