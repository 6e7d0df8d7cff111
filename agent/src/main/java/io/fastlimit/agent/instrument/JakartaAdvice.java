package io.fastlimit.agent.instrument;

import java.util.HashMap;
import java.util.Map;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.commons.ClassRemapper;
import net.bytebuddy.jar.asm.commons.Remapper;

/**
 * The jakarta.servlet advice (and {@link ServletHelper}, which it calls), made from the
 * javax.servlet one by renaming packages in its class file (what Tomcat's own migration tool does
 * to whole applications). One source of advice, no second copy to keep in step.
 */
final class JakartaAdvice {

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

  private JakartaAdvice() {}

  /** A class file locator holding only the renamed advice classes. */
  static ClassFileLocator locator(ClassFileLocator agentClasses) throws java.io.IOException {
    Map<String, String> renamed = new HashMap<>();
    renamed.put(internal(ServletApiAdvice.class.getName()), internal(NAME));
    renamed.put(internal(FilterExitAdvice.class.getName()), internal(FILTER_EXIT_NAME));
    renamed.put(internal(ReceivedAddressAdvice.class.getName()), internal(RECEIVED_ADDRESS_NAME));
    renamed.put(internal(CompletionExitAdvice.class.getName()), internal(COMPLETION_EXIT_NAME));
    renamed.put(internal(ServletHelper.class.getName()), internal(HELPER_NAME));
    renamed.put(
        internal(JettyChannelFrontDoorAdvice.class.getName()),
        internal(JETTY_CHANNEL_FRONT_DOOR_NAME));
    renamed.put(
        internal(JettyChannelCompletedAdvice.class.getName()),
        internal(JETTY_CHANNEL_COMPLETED_NAME));
    Map<String, byte[]> classes = new HashMap<>();
    classes.put(NAME, rename(agentClasses, ServletApiAdvice.class.getName(), renamed));
    classes.put(FILTER_EXIT_NAME, rename(agentClasses, FilterExitAdvice.class.getName(), renamed));
    classes.put(
        RECEIVED_ADDRESS_NAME,
        rename(agentClasses, ReceivedAddressAdvice.class.getName(), renamed));
    classes.put(
        COMPLETION_EXIT_NAME, rename(agentClasses, CompletionExitAdvice.class.getName(), renamed));
    classes.put(HELPER_NAME, rename(agentClasses, ServletHelper.class.getName(), renamed));
    classes.put(
        JETTY_CHANNEL_FRONT_DOOR_NAME,
        rename(agentClasses, JettyChannelFrontDoorAdvice.class.getName(), renamed));
    classes.put(
        JETTY_CHANNEL_COMPLETED_NAME,
        rename(agentClasses, JettyChannelCompletedAdvice.class.getName(), renamed));
    return new ClassFileLocator.Simple(classes);
  }

  private static byte[] rename(
      ClassFileLocator agentClasses, String className, final Map<String, String> renamed)
      throws java.io.IOException {
    ClassReader reader = new ClassReader(agentClasses.locate(className).resolve());
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
                if (internalName.startsWith("javax/servlet/")) {
                  return "jakarta/servlet/" + internalName.substring("javax/servlet/".length());
                }
                return internalName;
              }
            }),
        0);
    return writer.toByteArray();
  }

  private static String internal(String className) {
    return className.replace('.', '/');
  }
}
