package io.fastlimit.agent.observe;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The agent's own logger: plain lines on the stderr the JVM had when the agent started, or in the
 * rules file's {@code log-file}, independent of whatever logging the application uses, and never
 * java.util.logging (initializing it early breaks some application servers). Failures that can
 * repeat per request are reported once per kind through {@link #once}.
 */
public final class AgentLog {

  private static final String PREFIX = "[fastlimit] ";
  private static final int MAX_ONCE_KEYS = 1024;
  private static final Set<String> reported = ConcurrentHashMap.newKeySet();
  private static final int DEBUG = 0;
  private static final int INFO = 1;
  private static final int WARN = 2;
  private static final int ERROR = 3;

  /**
   * Taken once, when this class initializes, which {@link #takeStderr} makes happen on the thread
   * starting the agent: a server that later replaces System.err (Tomcat's swallowOutput hands a
   * request thread's output to the web application's log) does not take the agent's lines with it.
   */
  private static final PrintStream STDERR = System.err;

  private static volatile PrintStream out = STDERR;
  private static String file; // guarded by AgentLog.class
  private static volatile int level = INFO;
  private static volatile boolean json;

  private AgentLog() {}

  /**
   * Takes the stderr the agent's lines go to, now: called where the agent starts (premain,
   * agentmain), before the application's code runs. Taken later, on the agent's start thread while
   * the application starts, it could be a stream the application has swapped in for a moment and
   * throws away (Vert.x's check for SLF4J does), and not one line of the agent would ever be seen.
   * Only the first call takes it.
   */
  public static void takeStderr() {
    // initializing this class takes it (STDERR); there is nothing more to do
  }

  /** Sets the level by its rules-file name: debug, info, warn or error. */
  public static void setLevel(String name) {
    switch (name) {
      case "debug":
        level = DEBUG;
        break;
      case "warn":
        level = WARN;
        break;
      case "error":
        level = ERROR;
        break;
      default:
        level = INFO;
    }
  }

  /**
   * Writes each line as one JSON object ({@code log-format: json}) with the same content: time,
   * level, message and, for errors with a failure, its stack trace.
   */
  public static void setJson(boolean asJson) {
    json = asJson;
  }

  public static boolean debugEnabled() {
    return level <= DEBUG;
  }

  public static void debug(String message) {
    if (level <= DEBUG) {
      write("DEBUG", message, null);
    }
  }

  public static void info(String message) {
    if (level <= INFO) {
      write("INFO", message, null);
    }
  }

  public static void warn(String message) {
    if (level <= WARN) {
      write("WARN", message, null);
    }
  }

  /** Errors are always written: they say why limits are not what the rules file says. */
  public static void error(String message, Throwable failure) {
    write("ERROR", message, failure);
  }

  private static void write(String levelName, String message, Throwable failure) {
    PrintStream stream = out;
    if (json) {
      stream.println(JsonLine.of(System.currentTimeMillis(), levelName, message, failure));
      return;
    }
    String line = PREFIX + (levelName.equals("INFO") ? "" : levelName + " ") + message;
    if (failure == null) {
      stream.println(line);
      return;
    }
    synchronized (stream) {
      stream.println(line);
      failure.printStackTrace(stream);
    }
  }

  /**
   * Logs an error the first time a failure of this kind happens and stays silent after, so a fault
   * on the request path cannot flood the log. The kind is the caller's label plus the failure's
   * class; the set of kinds is bounded.
   */
  public static void once(String what, Throwable failure) {
    String kind = what + '|' + (failure == null ? "" : failure.getClass().getName());
    if (reported.size() < MAX_ONCE_KEYS && reported.add(kind)) {
      error(what + " (reported once; later occurrences are not logged)", failure);
    }
  }

  /**
   * Writes from now on to the end of this file ({@code log-file}, an absolute path), or to stderr
   * when null. Applying the same file again keeps it open; a file that cannot be opened is said on
   * stderr, where the lines then go.
   */
  public static synchronized void writeTo(String path) {
    if (path == null ? file == null : path.equals(file)) {
      return;
    }
    PrintStream previous = out;
    PrintStream next = STDERR;
    String opened = null;
    if (path != null) {
      try {
        next = new PrintStream(new FileOutputStream(path, true), true, "UTF-8");
        opened = path;
      } catch (IOException | SecurityException e) {
        out = STDERR;
        file = null;
        closeFile(previous);
        error("cannot write the agent's log to " + path + "; it goes to stderr: " + e, null);
        return;
      }
    }
    out = next;
    file = opened;
    closeFile(previous);
  }

  private static void closeFile(PrintStream stream) {
    if (stream != STDERR) {
      stream.close(); // a line being written there as it closes is lost, not thrown
    }
  }
}
