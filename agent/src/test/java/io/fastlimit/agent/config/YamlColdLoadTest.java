package io.fastlimit.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.File;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * What a rules file costs to read the first time in a JVM (issue 13): SnakeYAML parses and
 * composes, nothing more. Run in a class loader of its own so that the classes loaded are this
 * load's alone.
 */
class YamlColdLoadTest {

  private static final String ONE_RULE = "rules:\n  - path: /hello\n    limit: 1000/min\n";

  @Test
  void readingRulesLoadsNeitherSnakeYamlsRegexResolverNorItsConstructors() throws Exception {
    try (Fresh fresh = new Fresh()) {
      Object config = fresh.parse(ONE_RULE);

      assertThat(config).as("the file was read").isNotNull();
      assertThat(fresh.loaded("org.snakeyaml.engine.v2.nodes.ScalarNode"))
          .as("SnakeYAML composed the file in this loader")
          .isTrue();
      assertThat(fresh.loaded("org.snakeyaml.engine.v2.resolver.JsonScalarResolver")).isFalse();
      assertThat(fresh.loaded("org.snakeyaml.engine.v2.schema.JsonSchema")).isFalse();
      assertThat(fresh.loaded("org.snakeyaml.engine.v2.constructor.json.ConstructYamlJsonInt"))
          .isFalse();
    }
  }

  @Test
  void scalarsThatJsonWouldTypeAreReadAsWritten() throws ConfigException {
    AgentConfig config =
        ConfigLoader.parse(
            "key-prefix: 1.5e3\nrules:\n  - name: null\n    path: /a\n    limit: 10/s\n",
            "rules.yaml",
            name -> null);

    assertThat(config.keyPrefix()).isEqualTo("1.5e3");
    assertThat(config.rules().rules().get(0).name()).isEqualTo("null");
  }

  @Test
  void aYamlVersionOtherThanOneIsRefused() {
    ConfigException failure =
        catchThrowableOfType(
            ConfigException.class,
            () ->
                ConfigLoader.parse(
                    "%YAML 2.0\n---\nrules:\n  - path: /a\n    limit: 1/s\n",
                    "rules.yaml", name -> null));

    assertThat(failure).isNotNull();
    assertThat(failure.problems()).hasSize(1);
    assertThat(failure.problems().get(0).message()).contains("major=2");
  }

  /** The agent's and SnakeYAML's classes loaded afresh; everything else from the test's loader. */
  private static final class Fresh extends URLClassLoader {

    Fresh() throws MalformedURLException {
      super(classPath(), YamlColdLoadTest.class.getClassLoader());
    }

    private static URL[] classPath() throws MalformedURLException {
      List<URL> urls = new ArrayList<>();
      for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
        urls.add(new File(entry).toURI().toURL());
      }
      return urls.toArray(new URL[0]);
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
      if (!name.startsWith("io.fastlimit.agent.") && !name.startsWith("org.snakeyaml.")) {
        return super.loadClass(name, resolve);
      }
      synchronized (getClassLoadingLock(name)) {
        Class<?> type = findLoadedClass(name);
        if (type == null) {
          type = findClass(name);
        }
        if (resolve) {
          resolveClass(type);
        }
        return type;
      }
    }

    boolean loaded(String name) {
      return findLoadedClass(name) != null;
    }

    Object parse(String text) throws Exception {
      Method parse =
          Class.forName(ConfigLoader.class.getName(), true, this)
              .getMethod("parse", String.class, String.class, Function.class);
      Function<String, String> noEnvironment = name -> null;
      try {
        return parse.invoke(null, text, "rules.yaml", noEnvironment);
      } catch (InvocationTargetException e) {
        throw new AssertionError("the rules did not load", e.getCause());
      }
    }
  }
}
