package io.fastlimit.agent.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.snakeyaml.engine.v2.api.ComposeOnlySettings;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.api.lowlevel.Parse;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * Typed access to one rules file's YAML nodes, which keep their positions: every value is read
 * through here, so a wrong type, an unknown key or an unknown word becomes a problem at its
 * file:line:column, and {@code ${VAR}} is substituted on the way. Collects every problem.
 */
final class YamlReader {

  /** Deepest nesting of mappings and lists; a rules file uses four or five levels. */
  static final int MAX_NESTING = 64;

  private final String file;
  private final Substitution substitution;
  private final List<ConfigProblem> problems = new ArrayList<>();

  /** Scalars whose value came from the environment: node -> {as written, as substituted}. */
  private final Map<Node, String[]> substituted = new IdentityHashMap<>();

  YamlReader(String file, Function<String, String> environment) {
    this.file = file;
    this.substitution = new Substitution(environment);
  }

  /** The document's root, or null (with a problem) when the text is no usable YAML. */
  Node compose(String text) {
    // not LoadSettings.builder(): its JSON schema (regular expressions, constructors) typed
    // scalars the readers below take as text, a quarter of a cold load
    LoadSettings settings = ComposeOnlySettings.create(file, false, false, 50, RulesFile.MAX_BYTES);
    Optional<Node> document;
    try {
      // the composer recurses once per level: bound the depth before it runs
      Mark tooDeep = firstTooDeep(new Parse(settings).parseString(text));
      if (tooDeep != null) {
        problemAt(
            tooDeep,
            "YAML nested deeper than "
                + MAX_NESTING
                + " levels; a rules file needs a few (is a bracket or indentation wrong?)");
        return null;
      }
      document = new Compose(settings).composeString(text);
    } catch (MarkedYamlEngineException e) {
      Mark mark = e.getProblemMark().orElse(e.getContextMark().orElse(null));
      String what = e.getProblem() == null ? e.getMessage() : e.getProblem();
      if (e.getContext() != null) {
        what = e.getContext() + ": " + what;
      }
      problemAt(mark, "YAML syntax: " + what);
      return null;
    } catch (YamlEngineException e) {
      problems.add(new ConfigProblem(file, 0, 0, "YAML: " + e.getMessage()));
      return null;
    }
    if (!document.isPresent()) {
      problems.add(new ConfigProblem(file, 0, 0, "the file is empty; it needs at least 'rules:'"));
      return null;
    }
    return document.get();
  }

  /** Where the first collection nested deeper than {@link #MAX_NESTING} starts, or null. */
  private static Mark firstTooDeep(Iterable<Event> events) {
    int depth = 0;
    for (Event event : events) {
      Event.ID id = event.getEventId();
      if (id == Event.ID.MappingStart || id == Event.ID.SequenceStart) {
        if (++depth > MAX_NESTING) {
          return event.getStartMark().orElse(null);
        }
      } else if (id == Event.ID.MappingEnd || id == Event.ID.SequenceEnd) {
        depth--;
      }
    }
    return null;
  }

  /** The keys of a mapping, each checked against {@code allowed}; null when there is none. */
  Map<String, Node> mapping(Node node, String what, List<String> allowed) {
    if (node == null) {
      return null;
    }
    if (!(node instanceof MappingNode)) {
      problem(node, what + " must be a mapping of keys (" + String.join(", ", allowed) + ")");
      return null;
    }
    Map<String, Node> out = new LinkedHashMap<>();
    for (NodeTuple tuple : ((MappingNode) node).getValue()) {
      Node keyNode = tuple.getKeyNode();
      if (!(keyNode instanceof ScalarNode)) {
        problem(keyNode, "keys in " + what + " must be plain names");
        continue;
      }
      String key = ((ScalarNode) keyNode).getValue();
      if (!allowed.contains(key)) {
        problem(
            keyNode,
            "unknown key '"
                + key
                + "' in "
                + what
                + Suggestion.didYouMean(key, allowed)
                + "; valid keys: "
                + String.join(", ", allowed));
      } else if (out.put(key, tuple.getValueNode()) != null) {
        problem(keyNode, "'" + key + "' appears twice in " + what);
      }
    }
    return out;
  }

  /** A mapping of free-form names to single values, e.g. backend-options. */
  Map<String, String> freeMapping(Node node, String what) {
    Map<String, String> out = new LinkedHashMap<>();
    if (node == null) {
      return out;
    }
    if (!(node instanceof MappingNode)) {
      problem(node, what + " must be a mapping of names to values");
      return out;
    }
    for (NodeTuple tuple : ((MappingNode) node).getValue()) {
      String key = string(tuple.getKeyNode());
      String value = string(tuple.getValueNode());
      if (key != null && value != null) {
        out.put(key, value);
      }
    }
    return out;
  }

  List<Node> list(Node node, String what) {
    if (node == null) {
      return Collections.emptyList();
    }
    if (!(node instanceof SequenceNode)) {
      problem(node, what + " must be a list, e.g. [a, b] or lines starting with '- '");
      return Collections.emptyList();
    }
    return ((SequenceNode) node).getValue();
  }

  /** A list, or a single value standing for a list of one. */
  List<Node> oneOrList(Node node, String what) {
    return node instanceof ScalarNode ? Collections.singletonList(node) : list(node, what);
  }

  /** A single value with {@code ${VAR}} substituted; null (with a problem) for anything else. */
  String string(Node node) {
    if (!(node instanceof ScalarNode)) {
      problem(node, "expected a single value here, not a list or mapping");
      return null;
    }
    String written = ((ScalarNode) node).getValue();
    String value = substitution.apply(written, message -> problem(node, message));
    if (!value.equals(written)) {
      substituted.put(node, new String[] {written, value});
    }
    return value;
  }

  /** A single value, trimmed; null (with a problem) when it is empty. */
  String nonEmptyString(Node node, String what) {
    String value = string(node);
    if (value != null && value.trim().isEmpty()) {
      problem(node, "expected " + what + ", found an empty value");
      return null;
    }
    return value == null ? null : value.trim();
  }

  boolean bool(Node node, boolean fallback) {
    if (node == null) {
      return fallback;
    }
    String value = string(node);
    if ("true".equals(value)) {
      return true;
    }
    if ("false".equals(value)) {
      return false;
    }
    if (value != null) {
      problem(node, "expected true or false, found '" + value + "'");
    }
    return fallback;
  }

  int integer(Node node, int fallback, int min, int max) {
    if (node == null) {
      return fallback;
    }
    String value = string(node);
    if (value == null) {
      return fallback;
    }
    try {
      int parsed = Integer.parseInt(value.trim());
      if (parsed >= min && parsed <= max) {
        return parsed;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    problem(node, "expected a whole number from " + min + " to " + max + ", found '" + value + "'");
    return fallback;
  }

  /**
   * The value a config word stands for, case aside: the one way words become values. An unknown
   * word is reported as "unknown (what) 'word'; valid: ...".
   */
  <T> T word(Node node, Words<T> words, T fallback) {
    if (node == null) {
      return fallback;
    }
    String text = nonEmptyString(node, words.expected);
    if (text == null) {
      return fallback;
    }
    T value = words.values.get(text.toLowerCase(Locale.ROOT));
    if (value == null) {
      problem(node, "unknown " + words.what + " '" + text + "'; valid: " + words.valid);
      return fallback;
    }
    return value;
  }

  /** The scalar's text as the file writes it, before {@code ${VAR}} substitution. */
  String asWritten(Node node, String value) {
    String[] fromEnvironment = substituted.get(node);
    return fromEnvironment == null ? value : fromEnvironment[0].trim();
  }

  void problem(Node node, String message) {
    String[] fromEnvironment = node == null ? null : substituted.get(node);
    if (fromEnvironment != null) {
      message = Substitution.quotingTheFile(message, fromEnvironment[0], fromEnvironment[1]);
    }
    problemAt(node == null ? null : node.getStartMark().orElse(null), message);
  }

  void problemAt(Mark mark, String message) {
    if (mark == null) {
      problems.add(new ConfigProblem(file, 0, 0, message));
    } else {
      problems.add(new ConfigProblem(file, mark.getLine() + 1, mark.getColumn() + 1, message));
    }
  }

  int problemCount() {
    return problems.size();
  }

  /** Every problem found, in file order whatever order they were found in. */
  List<ConfigProblem> problems() {
    List<ConfigProblem> sorted = new ArrayList<>(problems);
    sorted.sort((a, b) -> a.line() != b.line() ? a.line() - b.line() : a.column() - b.column());
    return sorted;
  }

  /** Control characters as escapes, so a message shows a value on one line as it was written. */
  static String printable(String text) {
    StringBuilder out = new StringBuilder(text.length() + 8);
    for (int i = 0; i < text.length(); i++) {
      char ch = text.charAt(i);
      if (ch == '\r') {
        out.append("\\r");
      } else if (ch == '\n') {
        out.append("\\n");
      } else if (ch == '\t') {
        out.append("\\t");
      } else if (ch < 0x20 || ch == 0x7f) {
        out.append(String.format("\\u%04x", (int) ch));
      } else {
        out.append(ch);
      }
    }
    return out.toString();
  }

  /** The words a setting accepts and how to name them in messages. */
  static final class Words<T> {
    final String what;
    final String expected;
    final Map<String, T> values = new LinkedHashMap<>();
    final String valid;

    /**
     * {@code what} names the setting ("algorithm"), {@code expected} describes a value ("a log
     * level"), {@code valid} lists the words for messages; {@code configName} gives each value's
     * word, in lower case.
     */
    Words(String what, String expected, T[] all, Function<T, String> configName, String valid) {
      this.what = what;
      this.expected = expected;
      for (T value : all) {
        values.put(configName.apply(value), value);
      }
      this.valid = valid;
    }
  }
}
