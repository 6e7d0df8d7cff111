package io.fastlimit.agent.backend;

/**
 * Makes a custom {@link Backend}. Implementations are found by {@link java.util.ServiceLoader} (a
 * {@code META-INF/services/io.fastlimit.agent.backend.BackendProvider} file in a jar on the JVM
 * class path) and chosen by {@link #name()} with {@code backend: NAME} in the rules file, or named
 * by class with {@code backend: com.example.MyProvider}.
 */
public interface BackendProvider {

  /** The name the rules file uses, e.g. {@code hazelcast}. */
  String name();

  /** Creates the backend. Called once at start; the backend lives until the JVM exits. */
  Backend create(BackendContext context) throws Exception;
}
