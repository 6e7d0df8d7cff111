package io.fastlimit.agent.instrument.launch;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.WeakHashMap;
import net.bytebuddy.jar.asm.ClassReader;

/**
 * Which servlet API's {@code Servlet} or {@code Filter} a type is, read from the class files of its
 * super types as resources of the loader that defines it: loading a class here could define an
 * application class out of order, or wait on a loader lock the loading thread holds. Answers are
 * kept per loader (weakly: an undeployed application's loader goes) and per loader bounded, since
 * the super types of an application's servlets are few and shared (HttpServlet, GenericFilterBean).
 */
final class ServletSuperTypes {

  /** The type is a javax.servlet Servlet or Filter. */
  static final int JAVAX = 1;

  /** The type is a jakarta.servlet Servlet or Filter. */
  static final int JAKARTA = 2;

  /** A super type's class file could not be read: not for sure either way. */
  static final int UNKNOWN = 4;

  /** Super types kept per loader; far more than the servlet hierarchies an application has. */
  static final int KEPT_PER_LOADER = 256;

  /** Deeper than any real hierarchy; only a broken class path gets here. */
  private static final int MAX_DEPTH = 64;

  private final Map<ClassLoader, Map<String, Integer>> perLoader = new WeakHashMap<>();

  /**
   * The servlet APIs ({@link #JAVAX}, {@link #JAKARTA}, or'ed) whose Servlet or Filter is among the
   * given super types (a class's super class and interfaces), with {@link #UNKNOWN} when one could
   * not be read from {@code loader}.
   */
  int of(ClassLoader loader, String superName, String[] interfaces) {
    int apis = superName == null ? 0 : of(loader, superName, 0);
    for (String implemented : interfaces) {
      apis |= of(loader, implemented, 0);
    }
    return apis;
  }

  private int of(ClassLoader loader, String type, int depth) {
    int known = declared(type);
    if (known >= 0) {
      return known;
    }
    Integer cached = cached(loader, type);
    if (cached != null) {
      return cached;
    }
    int apis = read(loader, type, depth);
    if ((apis & UNKNOWN) == 0) {
      keep(loader, type, apis); // a type not found now may be found later (a jar added)
    }
    return apis;
  }

  /** The answer for the servlet APIs' own types and the JDK's; -1 for any other. */
  private static int declared(String type) {
    switch (type) {
      case "javax/servlet/Servlet":
      case "javax/servlet/Filter":
        return JAVAX;
      case "jakarta/servlet/Servlet":
      case "jakarta/servlet/Filter":
        return JAKARTA;
      default:
        // the JDK's types implement no servlet API
        return type.startsWith("java/") ? 0 : -1;
    }
  }

  private int read(ClassLoader loader, String type, int depth) {
    if (depth > MAX_DEPTH) {
      return UNKNOWN;
    }
    byte[] classFile = classFile(loader, type);
    if (classFile == null) {
      return UNKNOWN;
    }
    ClassReader reader;
    try {
      reader = new ClassReader(classFile);
    } catch (RuntimeException unreadable) {
      return UNKNOWN;
    }
    String superName = reader.getSuperName();
    int apis = superName == null ? 0 : of(loader, superName, depth + 1);
    for (String implemented : reader.getInterfaces()) {
      apis |= of(loader, implemented, depth + 1);
    }
    return apis;
  }

  /** The class file of {@code type} as {@code loader} has it, or null. */
  static byte[] classFile(ClassLoader loader, String type) {
    try (InputStream in = loader.getResourceAsStream(type + ".class")) {
      if (in == null) {
        return null;
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
      byte[] buffer = new byte[4096];
      for (int read; (read = in.read(buffer)) > 0; ) {
        out.write(buffer, 0, read);
      }
      return out.toByteArray();
    } catch (IOException | RuntimeException unreadable) {
      return null;
    }
  }

  private Integer cached(ClassLoader loader, String type) {
    synchronized (perLoader) {
      Map<String, Integer> types = perLoader.get(loader);
      return types == null ? null : types.get(type);
    }
  }

  private void keep(ClassLoader loader, String type, int apis) {
    synchronized (perLoader) {
      Map<String, Integer> types = perLoader.get(loader);
      if (types == null) {
        types = new Bounded();
        perLoader.put(loader, types);
      }
      types.put(type, apis);
    }
  }

  /** The types of one loader, the least recently used dropped beyond {@link #KEPT_PER_LOADER}. */
  private static final class Bounded extends LinkedHashMap<String, Integer> {
    private static final long serialVersionUID = 1L;

    Bounded() {
      super(16, 0.75f, true);
    }

    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Integer> eldest) {
      return size() > KEPT_PER_LOADER;
    }
  }
}
