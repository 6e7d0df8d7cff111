package io.fastlimit.agent.instrument.launch;

import java.util.ArrayList;
import java.util.List;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;

/**
 * The agent's instrumentation at the JVM's launch, in plain ASM and without Byte Buddy's builder:
 * each entry method of a servlet, a filter and Tomcat's front door is renamed {@code
 * fastlimit$<name>} and a wrapper of the original's name and shape calls the bootstrap call-outs
 * around it ({@link EntryWrapper}). Building Byte Buddy (its builder, matchers, advice resolution
 * and warm-up) was three quarters of the agent's cost to a Tomcat or Spring Boot launch, where only
 * these classes are instrumented. Whatever this cannot decide for sure from class files alone is
 * {@link Woven#DOUBTFUL doubtful} and left to Byte Buddy, as before. The same class file always
 * gives the same result, so a class woven here can be retransformed.
 */
public final class LaunchWeave {

  /** What a renamed entry method's name starts with. */
  public static final String RENAMED_PREFIX = "fastlimit$";

  static final String COYOTE_ADAPTER = "org/apache/catalina/connector/CoyoteAdapter";
  static final String CONNECTOR_REQUEST = "org/apache/catalina/connector/Request";
  private static final String CONNECTOR_RESPONSE = "org/apache/catalina/connector/Response";

  /** The first class file version with class constants (LDC of a class, Java 5). */
  private static final int CLASS_CONSTANTS = Opcodes.V1_5;

  private static final String[] SERVLET_APIS = {"javax/servlet", "jakarta/servlet"};

  private final ServletSuperTypes superTypes = new ServletSuperTypes();

  /** True for the classes this weaves by name (Tomcat's front door); other named ones are not. */
  public static boolean takesByName(String internalName) {
    return internalName.equals(COYOTE_ADAPTER) || internalName.equals(CONNECTOR_REQUEST);
  }

  /**
   * The class {@code name} (internal form) being defined by {@code loader} from {@code classFile},
   * woven, or what to do instead. Never throws.
   */
  public Woven weave(ClassLoader loader, String name, byte[] classFile) {
    try {
      ClassReader reader = new ClassReader(classFile);
      Shape shape = Shape.of(reader);
      if (shape.woven) {
        return Woven.NOTHING; // woven already (its class file was saved after the weave)
      }
      List<EntryWrapper.Entry> entries;
      if (name.equals(COYOTE_ADAPTER)) {
        entries = frontDoor(loader, reader, shape);
      } else if (name.equals(CONNECTOR_REQUEST)) {
        entries = connectorRequest(loader, reader, shape);
      } else {
        entries = servletOrFilter(loader, reader, shape);
      }
      if (entries == null) {
        return Woven.DOUBTFUL;
      }
      if (entries.isEmpty()) {
        return Woven.NOTHING;
      }
      ClassWriter writer = new ClassWriter(reader, 0); // never COMPUTE_FRAMES: it loads classes
      reader.accept(new EntryWrapper(writer, entries), 0);
      return Woven.to(writer.toByteArray());
    } catch (RuntimeException | LinkageError | StackOverflowError unexpected) {
      // a class file this ASM cannot read (a newer class file version) or a shape not foreseen
      return Woven.DOUBTFUL;
    }
  }

  /**
   * The servlet's {@code service} and the filter's {@code doFilter} methods to wrap; empty when the
   * class is none (for sure), null when that is doubtful.
   */
  private List<EntryWrapper.Entry> servletOrFilter(
      ClassLoader loader, ClassReader reader, Shape shape) {
    if ((reader.getAccess() & (Opcodes.ACC_INTERFACE | Opcodes.ACC_SYNTHETIC)) != 0) {
      return new ArrayList<>(0);
    }
    List<EntryWrapper.Entry> entries = new ArrayList<>(2);
    int apis = -1;
    for (Shape.Method method : shape.methods) {
      int kind = servletEntryKind(method);
      if (kind < 0) {
        continue;
      }
      if (!wrappable(method) || !method.descriptor.endsWith(")V")) {
        return null;
      }
      String api =
          method.descriptor.startsWith("(Ljavax/servlet/") ? "javax/servlet" : "jakarta/servlet";
      if (loader == null || version(reader) < CLASS_CONSTANTS) {
        return null;
      }
      if (apis < 0) {
        apis = superTypes.of(loader, reader.getSuperName(), reader.getInterfaces());
      }
      int bit = api.equals("javax/servlet") ? ServletSuperTypes.JAVAX : ServletSuperTypes.JAKARTA;
      if ((apis & bit) == 0) {
        if ((apis & ServletSuperTypes.UNKNOWN) != 0) {
          return null;
        }
        continue; // the method's shape, but no servlet or filter of that API
      }
      String requestType = api + "/http/HttpServletRequest";
      if (loader.getResource(requestType + ".class") == null) {
        return null; // the wrapper's class constant would not resolve
      }
      entries.add(new EntryWrapper.Entry(kind, method.name, method.descriptor, requestType));
    }
    return entries;
  }

  /** {@link EntryWrapper#SERVICE} or {@link EntryWrapper#DO_FILTER} by name and parameters. */
  private static int servletEntryKind(Shape.Method method) {
    if ((method.access & (Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC | Opcodes.ACC_ABSTRACT))
        != Opcodes.ACC_PUBLIC) {
      return -1;
    }
    boolean service = method.name.equals("service");
    if (!service && !method.name.equals("doFilter")) {
      return -1;
    }
    for (String api : SERVLET_APIS) {
      String parameters = "(L" + api + "/ServletRequest;L" + api + "/ServletResponse;";
      if (service && method.descriptor.startsWith(parameters + ")")) {
        return EntryWrapper.SERVICE;
      }
      if (!service && method.descriptor.startsWith(parameters + "L" + api + "/FilterChain;)")) {
        return EntryWrapper.DO_FILTER;
      }
    }
    return -1;
  }

  /** CoyoteAdapter's postParseRequest: one method of the shape Tomcat 9 to 11 have, or null. */
  private static List<EntryWrapper.Entry> frontDoor(
      ClassLoader loader, ClassReader reader, Shape shape) {
    if (!linkable(loader, reader)) {
      return null;
    }
    List<EntryWrapper.Entry> entries = new ArrayList<>(1);
    for (Shape.Method method : shape.methods) {
      if (!method.name.equals("postParseRequest")) {
        continue;
      }
      Type[] parameters = Type.getArgumentTypes(method.descriptor);
      if (parameters.length == 4
          && parameters[1].getDescriptor().equals("L" + CONNECTOR_REQUEST + ";")
          && parameters[3].getDescriptor().equals("L" + CONNECTOR_RESPONSE + ";")
          && Type.getReturnType(method.descriptor) == Type.BOOLEAN_TYPE) {
        if (!wrappable(method) || (method.access & Opcodes.ACC_STATIC) != 0) {
          return null;
        }
        entries.add(
            new EntryWrapper.Entry(
                EntryWrapper.POST_PARSE_REQUEST,
                method.name,
                method.descriptor,
                CONNECTOR_REQUEST));
      }
    }
    return entries.size() == 1 ? entries : null;
  }

  /**
   * Tomcat's connector Request: recycle() and setRemoteAddr(String), the latter with the servlet
   * API's request type it implements; null unless both are there as Tomcat 9 to 11 have them.
   */
  private static List<EntryWrapper.Entry> connectorRequest(
      ClassLoader loader, ClassReader reader, Shape shape) {
    if (!linkable(loader, reader)) {
      return null;
    }
    String requestType = null;
    for (String implemented : reader.getInterfaces()) {
      for (String api : SERVLET_APIS) {
        if (implemented.equals(api + "/http/HttpServletRequest")) {
          requestType = implemented;
        }
      }
    }
    if (requestType == null) {
      return null;
    }
    EntryWrapper.Entry recycle = null;
    EntryWrapper.Entry setRemoteAddr = null;
    for (Shape.Method method : shape.methods) {
      boolean wrappable = wrappable(method) && (method.access & Opcodes.ACC_STATIC) == 0;
      if (method.name.equals("recycle") && method.descriptor.startsWith("()")) {
        if (!wrappable || !method.descriptor.equals("()V") || recycle != null) {
          return null;
        }
        recycle = new EntryWrapper.Entry(EntryWrapper.RECYCLE, "recycle", "()V", CONNECTOR_REQUEST);
      } else if (method.name.equals("setRemoteAddr")
          && Type.getArgumentTypes(method.descriptor).length == 1) {
        if (!wrappable
            || !method.descriptor.equals("(Ljava/lang/String;)V")
            || setRemoteAddr != null) {
          return null;
        }
        setRemoteAddr =
            new EntryWrapper.Entry(
                EntryWrapper.SET_REMOTE_ADDR, method.name, method.descriptor, requestType);
      }
    }
    if (recycle == null || setRemoteAddr == null) {
      return null;
    }
    List<EntryWrapper.Entry> entries = new ArrayList<>(2);
    entries.add(recycle);
    entries.add(setRemoteAddr);
    return entries;
  }

  private static boolean linkable(ClassLoader loader, ClassReader reader) {
    return loader != null
        && version(reader) >= CLASS_CONSTANTS
        && (reader.getAccess() & Opcodes.ACC_INTERFACE) == 0;
  }

  /** A method whose code can move to a private method: concrete, Java code, written by hand. */
  private static boolean wrappable(Shape.Method method) {
    return (method.access
            & (Opcodes.ACC_ABSTRACT
                | Opcodes.ACC_NATIVE
                | Opcodes.ACC_SYNTHETIC
                | Opcodes.ACC_BRIDGE))
        == 0;
  }

  private static int version(ClassReader reader) {
    return reader.readUnsignedShort(6); // the major version
  }

  /** A class's methods by access, name and descriptor, read without their code. */
  private static final class Shape extends ClassVisitor {
    final List<Method> methods = new ArrayList<>();
    boolean woven;

    private Shape() {
      super(Opcodes.ASM9);
    }

    static Shape of(ClassReader reader) {
      Shape shape = new Shape();
      reader.accept(
          shape, ClassReader.SKIP_CODE | ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
      return shape;
    }

    @Override
    public MethodVisitor visitMethod(
        int access, String name, String descriptor, String signature, String[] exceptions) {
      methods.add(new Method(access, name, descriptor));
      woven |= name.startsWith(RENAMED_PREFIX);
      return null;
    }

    static final class Method {
      final int access;
      final String name;
      final String descriptor;

      Method(int access, String name, String descriptor) {
        this.access = access;
        this.name = name;
        this.descriptor = descriptor;
      }
    }
  }
}
