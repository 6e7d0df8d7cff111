package io.fastlimit.agent.instrument;

import net.bytebuddy.ByteBuddy;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.dynamic.scaffold.MethodGraph;

/**
 * Makes the agent's {@link AgentBuilder}: Byte Buddy's default, without its Nexus. The default
 * builder prepares the Nexus as it is constructed (it injects a class into the system class loader
 * through generated accessors, for types that initialise themselves); the agent only inlines advice
 * ({@code InitializationStrategy.NoOp}), never uses it, and preparing it was a third of the agent's
 * start.
 */
final class AgentBuilders {

  /**
   * Byte Buddy's switch for its Nexus. The agent jar relocates Byte Buddy and this name with it, so
   * an application's own Byte Buddy never reads it.
   */
  static final String NEXUS_DISABLED = "net.bytebuddy.nexus.disabled";

  private AgentBuilders() {}

  /**
   * Byte Buddy as the agent uses it: it only weaves advice into methods a class declares, so the
   * method graph is of declared methods; the default one describes every super type of each class
   * transformed (a tenth of an attach), for the overriding and bridge methods that making new types
   * needs.
   */
  static ByteBuddy byteBuddy() {
    return new ByteBuddy().with(MethodGraph.Compiler.ForDeclaredMethods.INSTANCE);
  }

  static AgentBuilder.Default create() {
    // the switch is read once, when the builder's constructor first touches the Nexus; the
    // property is put back as it was so the JVM's system properties stay the application's
    synchronized (System.getProperties()) {
      String before = System.getProperty(NEXUS_DISABLED);
      System.setProperty(NEXUS_DISABLED, "true");
      try {
        return new AgentBuilder.Default(byteBuddy());
      } finally {
        if (before == null) {
          System.clearProperty(NEXUS_DISABLED);
        } else {
          System.setProperty(NEXUS_DISABLED, before);
        }
      }
    }
  }
}
