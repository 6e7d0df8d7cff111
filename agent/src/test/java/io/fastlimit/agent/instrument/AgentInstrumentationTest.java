package io.fastlimit.agent.instrument;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.servlet.GenericServlet;
import javax.servlet.http.HttpServlet;
import org.junit.jupiter.api.Test;

class AgentInstrumentationTest {

  /**
   * At attach the loaded classes are first turned down by their names and super types' names; the
   * entry points among them must still be retransformed.
   */
  @Test
  void attachRetransformsTheLoadedEntryPointsOnly() throws Exception {
    List<Class<?>> retransformed = new ArrayList<>();
    Instrumentation instrumentation =
        instrumentation(
            new ArrayList<>(),
            retransformed,
            HttpServlet.class,
            GenericServlet.class,
            String.class,
            ArrayList.class);

    AgentInstrumentation.install(instrumentation);

    assertThat(retransformed).containsExactly(HttpServlet.class);
  }

  /**
   * Each transformer is called by the JVM for every class it loads, and each makes its own pass
   * over the loaded classes at attach: the servlet, Netty and Vert.x advice share one.
   */
  @Test
  void everyInstrumentationSharesOneTransformer() throws Exception {
    List<ClassFileTransformer> added = new ArrayList<>();
    AgentInstrumentation.install(instrumentation(added, new ArrayList<>()));

    assertThat(added).hasSize(1);
  }

  private Instrumentation instrumentation(
      List<ClassFileTransformer> added, List<Class<?>> retransformed, Class<?>... loaded) {
    return (Instrumentation)
        Proxy.newProxyInstance(
            getClass().getClassLoader(),
            new Class<?>[] {Instrumentation.class},
            (proxy, method, arguments) -> {
              switch (method.getName()) {
                case "addTransformer":
                  added.add((ClassFileTransformer) arguments[0]);
                  return null;
                case "isRetransformClassesSupported":
                case "isModifiableClass":
                  return true;
                case "getAllLoadedClasses":
                  return loaded;
                case "retransformClasses":
                  retransformed.addAll(Arrays.asList((Class<?>[]) arguments[0]));
                  return null;
                default:
                  return method.getReturnType() == boolean.class ? false : null;
              }
            });
  }
}
