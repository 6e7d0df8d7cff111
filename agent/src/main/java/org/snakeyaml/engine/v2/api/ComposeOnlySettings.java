package org.snakeyaml.engine.v2.api;

import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.snakeyaml.engine.v2.common.SpecVersion;
import org.snakeyaml.engine.v2.exceptions.YamlVersionException;
import org.snakeyaml.engine.v2.nodes.Tag;
import org.snakeyaml.engine.v2.resolver.ScalarResolver;
import org.snakeyaml.engine.v2.schema.Schema;

/**
 * SnakeYAML Engine's settings for parsing and composing only, made without {@link
 * LoadSettingsBuilder}: the builder always makes a {@code JsonSchema}, whose scalar resolver
 * compiles six regular expressions and whose constructors are ~20 classes, all for typing plain
 * scalars that the agent reads as text anyway. That was a quarter of the cold YAML load of a
 * one-rule file (issue 13). In SnakeYAML's package because {@link LoadSettings}' constructor is
 * package-private: a SnakeYAML whose constructor changed fails the agent's build here. The shade
 * plugin relocates this class with SnakeYAML.
 */
public final class ComposeOnlySettings
    implements Schema, ScalarResolver, UnaryOperator<SpecVersion> {

  private static final ComposeOnlySettings INSTANCE = new ComposeOnlySettings();

  private ComposeOnlySettings() {}

  /**
   * Settings as {@code LoadSettings.builder()} would make them with these values, except that every
   * scalar is a string ({@link Tag#STR}) and nothing can be constructed into Java objects.
   */
  public static LoadSettings create(
      String label,
      boolean allowDuplicateKeys,
      boolean allowRecursiveKeys,
      int maxAliasesForCollections,
      int codePointLimit) {
    return new LoadSettings(
        label,
        Collections.emptyMap(), // tag constructors: the agent never constructs
        null, // default list, set and map: only construction uses them
        null,
        null,
        INSTANCE, // the version check the builder's default does
        1024, // the builder's default buffer size
        allowDuplicateKeys,
        allowRecursiveKeys,
        maxAliasesForCollections,
        true, // marks: every problem names its line and column
        Collections.emptyMap(),
        Optional.empty(), // no ${VAR} in SnakeYAML: the agent substitutes its own way
        false, // comments are not kept
        codePointLimit,
        INSTANCE);
  }

  @Override
  public ScalarResolver getScalarResolver() {
    return this;
  }

  @Override
  public Map<Tag, ConstructNode> getSchemaTagConstructors() {
    return Collections.emptyMap();
  }

  /** Every scalar is text: the agent's readers give words and numbers their meaning. */
  @Override
  public Tag resolve(String value, Boolean implicit) {
    return Tag.STR;
  }

  /** Accepts YAML 1.x and refuses others, as the builder's default does. */
  @Override
  public SpecVersion apply(SpecVersion version) {
    if (version.getMajor() != 1) {
      throw new YamlVersionException(version);
    }
    return version;
  }
}
