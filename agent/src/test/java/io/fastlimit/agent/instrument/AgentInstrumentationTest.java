package io.fastlimit.agent.instrument;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AgentInstrumentationTest {

  /**
   * Each transformer is called by the JVM for every class it loads, and each makes its own pass
   * over the loaded classes at attach: the servlet, Netty and Vert.x advice share one.
   */
  @Test
  void everyInstrumentationSharesOneTransformer() throws Exception {
    List<ClassFileTransformer> added = new ArrayList<>();
    Instrumentation instrumentation =
        (Instrumentation)
            Proxy.newProxyInstance(
                getClass().getClassLoader(),
                new Class<?>[] {Instrumentation.class},
                (proxy, method, arguments) -> {
                  switch (method.getName()) {
                    case "addTransformer":
                      added.add((ClassFileTransformer) arguments[0]);
                      return null;
                    case "isRetransformClassesSupported":
                      return true;
                    case "getAllLoadedClasses":
                      return new Class<?>[0];
                    default:
                      return method.getReturnType() == boolean.class ? false : null;
                  }
                });

    AgentInstrumentation.install(instrumentation);

    assertThat(added).hasSize(1);
  }
}
