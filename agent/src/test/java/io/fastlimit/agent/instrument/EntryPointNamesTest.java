package io.fastlimit.agent.instrument;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import javax.servlet.Servlet;
import javax.servlet.http.HttpServlet;
import org.junit.jupiter.api.Test;

class EntryPointNamesTest {

  @Test
  void loadedServletsMayBeInstrumented() {
    assertThat(EntryPointNames.mayBeInstrumented(HttpServlet.class)).isTrue(); // via GenericServlet
  }

  @Test
  void otherLoadedClassesAreTurnedDownByName() {
    assertThat(EntryPointNames.mayBeInstrumented(String.class)).isFalse();
    assertThat(EntryPointNames.mayBeInstrumented(ArrayList.class)).isFalse();
    assertThat(EntryPointNames.mayBeInstrumented(Test.class)).isFalse();
    assertThat(EntryPointNames.mayBeInstrumented(ServletLike.class)).isFalse(); // an interface
    assertThat(EntryPointNames.mayBeInstrumented(AgentBuilders.class)).isFalse(); // the agent's
  }

  @Test
  void namedTypesPassByNameWhateverTheirClassFile() {
    assertThat(
            EntryPointNames.mayBeInstrumented(
                "org/apache/catalina/connector/CoyoteAdapter", new byte[0]))
        .isTrue();
    assertThat(EntryPointNames.mayBeInstrumented("com/example/Other", new byte[0])).isFalse();
  }

  interface ServletLike extends Servlet {}
}
