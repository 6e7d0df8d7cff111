package io.fastlimit.agent.instrument;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.commons.ClassRemapper;
import net.bytebuddy.jar.asm.commons.Remapper;

/**
 * The jakarta.servlet advice (and {@link ServletHelper}, which serves it), made from the
 * javax.servlet one by renaming packages in its class files (what Tomcat's own migration tool does
 * to whole applications). One source of advice, no second copy to keep in step. The renaming is a
 * build step ({@link #main}, run by the agent's pom after compiling): every agent class that names
 * a javax.servlet type, nested classes with it, gets a copy whose simple name starts with {@code
 * Jakarta} and which names jakarta.servlet instead. Done at start it had cost the agent a twelfth
 * of its start.
 */
public final class JakartaAdvice {

  static final String PREFIX = "Jakarta";
  static final String NAME = "io.fastlimit.agent.instrument.JakartaServletApiAdvice";
  static final String FILTER_EXIT_NAME = "io.fastlimit.agent.instrument.JakartaFilterExitAdvice";
  static final String COMPLETION_EXIT_NAME =
      "io.fastlimit.agent.instrument.JakartaCompletionExitAdvice";
  static final String HELPER_NAME = "io.fastlimit.agent.instrument.JakartaServletHelper";
  static final String RECEIVED_ADDRESS_NAME =
      "io.fastlimit.agent.instrument.JakartaReceivedAddressAdvice";
  static final String JETTY_CHANNEL_FRONT_DOOR_NAME =
      "io.fastlimit.agent.instrument.JakartaJettyChannelFrontDoorAdvice";
  static final String JETTY_CHANNEL_COMPLETED_NAME =
      "io.fastlimit.agent.instrument.JakartaJettyChannelCompletedAdvice";

  private static final String JAVAX = "javax/servlet/";
  private static final String JAKARTA = "jakarta/servlet/";
  private static final String AGENT_CLASSES = "io/fastlimit/agent";

  private JakartaAdvice() {}

  /**
   * The build step: {@code JakartaAdvice <classes directory>} writes the jakarta copies beside the
   * compiled classes. Fails the build when it finds nothing to rename or misses an advice class the
   * instrumentation names.
   */
  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      throw new IllegalArgumentException("usage: JakartaAdvice <classes directory>");
    }
    File classes = new File(args[0]);
    Map<String, String> renamed = generate(classes);
    for (String expected :
        new String[] {
          NAME,
          FILTER_EXIT_NAME,
          COMPLETION_EXIT_NAME,
          RECEIVED_ADDRESS_NAME,
          HELPER_NAME,
          JETTY_CHANNEL_FRONT_DOOR_NAME,
          JETTY_CHANNEL_COMPLETED_NAME
        }) {
      if (!renamed.containsValue(internal(expected))) {
        throw new IllegalStateException(
            expected + " was not made: its javax original names no javax.servlet type");
      }
    }
    System.out.println(
        "[fastlimit build] " + renamed.size() + " jakarta.servlet class(es) made in " + classes);
  }

  /**
   * Writes the jakarta copy of every class under the agent's packages in {@code classes} that names
   * a javax.servlet type (or whose nest does); returns the names renamed, old to new.
   */
  static Map<String, String> generate(File classes) throws IOException {
    Map<String, byte[]> all = new HashMap<>();
    collect(new File(classes, AGENT_CLASSES), AGENT_CLASSES, all);
    // a nest (a class and its nested classes) moves together: a nested class the advice uses
    // (a switch map, say) must exist under the new name even if it names no servlet type
    List<String> outers = new ArrayList<>();
    for (Map.Entry<String, byte[]> entry : all.entrySet()) {
      if (namesJavaxServlet(entry.getValue())) {
        String outer = outer(entry.getKey());
        if (!outers.contains(outer)) {
          outers.add(outer);
        }
      }
    }
    final Map<String, String> renamed = new HashMap<>();
    for (String name : all.keySet()) {
      if (outers.contains(outer(name))) {
        int slash = name.lastIndexOf('/');
        renamed.put(name, name.substring(0, slash + 1) + PREFIX + name.substring(slash + 1));
      }
    }
    for (Map.Entry<String, String> rename : renamed.entrySet()) {
      byte[] copy = rename(all.get(rename.getKey()), renamed);
      Files.write(new File(classes, rename.getValue() + ".class").toPath(), copy);
    }
    return renamed;
  }

  /** The class file with the given classes and every javax.servlet type renamed. */
  static byte[] rename(byte[] classFile, final Map<String, String> renamed) {
    ClassReader reader = new ClassReader(classFile);
    ClassWriter writer = new ClassWriter(0);
    reader.accept(
        new ClassRemapper(
            writer,
            new Remapper(Opcodes.ASM9) {
              @Override
              public String map(String internalName) {
                String advice = renamed.get(internalName);
                if (advice != null) {
                  return advice;
                }
                if (internalName.startsWith(JAVAX)) {
                  return JAKARTA + internalName.substring(JAVAX.length());
                }
                return internalName;
              }
            }),
        0);
    return writer.toByteArray();
  }

  private static boolean namesJavaxServlet(byte[] classFile) {
    final boolean[] found = {false};
    new ClassReader(classFile)
        .accept(
            new ClassRemapper(
                new ClassWriter(0),
                new Remapper(Opcodes.ASM9) {
                  @Override
                  public String map(String internalName) {
                    if (internalName.startsWith(JAVAX)) {
                      found[0] = true;
                    }
                    return internalName;
                  }
                }),
            0);
    return found[0];
  }

  private static void collect(File directory, String path, Map<String, byte[]> into)
      throws IOException {
    File[] files = directory.listFiles();
    if (files == null) {
      return;
    }
    for (File file : files) {
      String name = path + '/' + file.getName();
      if (file.isDirectory()) {
        if (!name.equals(AGENT_CLASSES + "/shaded")) {
          collect(file, name, into);
        }
      } else if (file.getName().endsWith(".class")) {
        into.put(
            name.substring(0, name.length() - ".class".length()),
            Files.readAllBytes(file.toPath()));
      }
    }
  }

  private static String outer(String internalName) {
    int slash = internalName.lastIndexOf('/');
    int dollar = internalName.indexOf('$', slash);
    return dollar < 0 ? internalName : internalName.substring(0, dollar);
  }

  private static String internal(String className) {
    return className.replace('.', '/');
  }
}
