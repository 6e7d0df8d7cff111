package io.fastlimit.agent.instrument.launch;

import java.util.List;
import net.bytebuddy.jar.asm.AnnotationVisitor;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;
import net.bytebuddy.jar.asm.TypePath;

/**
 * Renames each entry method of one class to {@code fastlimit$<name>}, private, its code, line
 * numbers and local variables as they were, and writes in its place a wrapper with the original's
 * name, descriptor, access, exceptions, signature and annotations that calls the bootstrap
 * call-outs ({@code ServletCallout}, {@code TomcatCallout}) around it. Virtual dispatch and {@code
 * super.service(...)} reach the wrapper as they reached the original. The wrapper's stack map
 * frames are written here: computing them would load classes.
 */
final class EntryWrapper extends ClassVisitor {

  static final int SERVICE = 0;
  static final int DO_FILTER = 1;
  static final int POST_PARSE_REQUEST = 2;
  static final int RECYCLE = 3;
  static final int SET_REMOTE_ADDR = 4;

  private static final String SERVLET_CALLOUT = "io/fastlimit/bootstrap/ServletCallout";
  private static final String TOMCAT_CALLOUT = "io/fastlimit/bootstrap/TomcatCallout";
  private static final String ENTER =
      "(Ljava/lang/Object;Ljava/lang/Object;Ljava/lang/Object;ZLjava/lang/Class;)"
          + "Ljava/lang/Object;";
  private static final String EXIT =
      "(Ljava/lang/Object;Ljava/lang/Object;Ljava/lang/Object;Ljava/lang/Throwable;"
          + "Ljava/lang/Class;)V";

  /** Kept on the wrapper only: what frameworks and tools read off the entry method. */
  private static final int RENAMED_DROPS =
      Opcodes.ACC_PUBLIC
          | Opcodes.ACC_PROTECTED
          | Opcodes.ACC_FINAL
          | Opcodes.ACC_SYNCHRONIZED // the wrapper holds the monitor around the call
          | Opcodes.ACC_VARARGS
          | Opcodes.ACC_DEPRECATED;

  /** One method to wrap: its kind and the class constant its call-outs are given. */
  static final class Entry {
    final int kind;
    final String name;
    final String descriptor;
    final String requestType;

    Entry(int kind, String name, String descriptor, String requestType) {
      this.kind = kind;
      this.name = name;
      this.descriptor = descriptor;
      this.requestType = requestType;
    }
  }

  private final List<Entry> entries;
  private String owner;
  private boolean frames;

  EntryWrapper(ClassVisitor next, List<Entry> entries) {
    super(Opcodes.ASM9, next);
    this.entries = entries;
  }

  @Override
  public void visit(
      int version,
      int access,
      String name,
      String signature,
      String superName,
      String[] interfaces) {
    owner = name;
    frames = (version & 0xFFFF) >= Opcodes.V1_6;
    super.visit(version, access, name, signature, superName, interfaces);
  }

  @Override
  public MethodVisitor visitMethod(
      int access, String name, String descriptor, String signature, String[] exceptions) {
    Entry entry = entryOf(name, descriptor);
    if (entry == null) {
      return super.visitMethod(access, name, descriptor, signature, exceptions);
    }
    MethodVisitor wrapper = super.visitMethod(access, name, descriptor, signature, exceptions);
    MethodVisitor renamed =
        super.visitMethod(
            (access & ~RENAMED_DROPS) | Opcodes.ACC_PRIVATE,
            LaunchWeave.RENAMED_PREFIX + name,
            descriptor,
            signature,
            exceptions);
    return new Renamed(renamed, wrapper, entry, access);
  }

  private Entry entryOf(String name, String descriptor) {
    for (Entry entry : entries) {
      if (entry.name.equals(name) && entry.descriptor.equals(descriptor)) {
        return entry;
      }
    }
    return null;
  }

  /**
   * The original method's code, written to the renamed method; its annotations go to the wrapper,
   * which is written when the original ends.
   */
  private final class Renamed extends MethodVisitor {
    private final MethodVisitor wrapper;
    private final Entry entry;
    private final int access;

    Renamed(MethodVisitor renamed, MethodVisitor wrapper, Entry entry, int access) {
      super(Opcodes.ASM9, renamed);
      this.wrapper = wrapper;
      this.entry = entry;
      this.access = access;
    }

    @Override
    public void visitParameter(String name, int access) {
      wrapper.visitParameter(name, access);
      super.visitParameter(name, access);
    }

    @Override
    public AnnotationVisitor visitAnnotationDefault() {
      return wrapper.visitAnnotationDefault();
    }

    @Override
    public AnnotationVisitor visitAnnotation(String descriptor, boolean visible) {
      return wrapper.visitAnnotation(descriptor, visible);
    }

    @Override
    public AnnotationVisitor visitTypeAnnotation(
        int typeRef, TypePath typePath, String descriptor, boolean visible) {
      return wrapper.visitTypeAnnotation(typeRef, typePath, descriptor, visible);
    }

    @Override
    public void visitAnnotableParameterCount(int parameterCount, boolean visible) {
      wrapper.visitAnnotableParameterCount(parameterCount, visible);
    }

    @Override
    public AnnotationVisitor visitParameterAnnotation(
        int parameter, String descriptor, boolean visible) {
      return wrapper.visitParameterAnnotation(parameter, descriptor, visible);
    }

    @Override
    public void visitEnd() {
      super.visitEnd();
      wrapper.visitCode();
      switch (entry.kind) {
        case SERVICE:
        case DO_FILTER:
          servletEntry(wrapper, entry);
          break;
        case POST_PARSE_REQUEST:
          postParseRequest(wrapper, entry);
          break;
        default:
          before(wrapper, entry);
          break;
      }
      wrapper.visitEnd();
    }
  }

  /**
   * {@code Object e = ServletCallout.enter(this, req, res, atFilter, HSR.class); if
   * (!ServletCallout.rejected(e)) { try { fastlimit$name(args); } catch (Throwable t) { exit(e,
   * req, res, t, HSR.class); throw t; } } exit(e, req, res, null, HSR.class);}
   */
  private void servletEntry(MethodVisitor code, Entry entry) {
    boolean atFilter = entry.kind == DO_FILTER;
    String exit = atFilter ? "filterExit" : "serviceExit";
    Type requestType = Type.getObjectType(entry.requestType);
    Type[] parameters = Type.getArgumentTypes(entry.descriptor);
    int entered = 1 + parameters.length; // every parameter is a reference
    int thrown = entered + 1;
    Label tryStart = new Label();
    Label tryEnd = new Label();
    Label handler = new Label();
    Label done = new Label();
    code.visitTryCatchBlock(tryStart, tryEnd, handler, "java/lang/Throwable");
    code.visitVarInsn(Opcodes.ALOAD, 0);
    code.visitVarInsn(Opcodes.ALOAD, 1);
    code.visitVarInsn(Opcodes.ALOAD, 2);
    code.visitInsn(atFilter ? Opcodes.ICONST_1 : Opcodes.ICONST_0);
    code.visitLdcInsn(requestType);
    code.visitMethodInsn(Opcodes.INVOKESTATIC, SERVLET_CALLOUT, "enter", ENTER, false);
    code.visitVarInsn(Opcodes.ASTORE, entered);
    code.visitVarInsn(Opcodes.ALOAD, entered);
    code.visitMethodInsn(
        Opcodes.INVOKESTATIC, SERVLET_CALLOUT, "rejected", "(Ljava/lang/Object;)Z", false);
    code.visitJumpInsn(Opcodes.IFNE, done);
    code.visitLabel(tryStart);
    callRenamed(code, entry, parameters);
    code.visitLabel(tryEnd);
    code.visitJumpInsn(Opcodes.GOTO, done);
    code.visitLabel(handler);
    frame(code, parameters, "java/lang/Throwable");
    code.visitVarInsn(Opcodes.ASTORE, thrown);
    code.visitVarInsn(Opcodes.ALOAD, entered);
    code.visitVarInsn(Opcodes.ALOAD, 1);
    code.visitVarInsn(Opcodes.ALOAD, 2);
    code.visitVarInsn(Opcodes.ALOAD, thrown);
    code.visitLdcInsn(requestType);
    code.visitMethodInsn(Opcodes.INVOKESTATIC, SERVLET_CALLOUT, exit, EXIT, false);
    code.visitVarInsn(Opcodes.ALOAD, thrown);
    code.visitInsn(Opcodes.ATHROW);
    code.visitLabel(done);
    frame(code, parameters, null);
    code.visitVarInsn(Opcodes.ALOAD, entered);
    code.visitVarInsn(Opcodes.ALOAD, 1);
    code.visitVarInsn(Opcodes.ALOAD, 2);
    code.visitInsn(Opcodes.ACONST_NULL);
    code.visitLdcInsn(requestType);
    code.visitMethodInsn(Opcodes.INVOKESTATIC, SERVLET_CALLOUT, exit, EXIT, false);
    code.visitInsn(Opcodes.RETURN);
    code.visitMaxs(Math.max(5, 1 + parameters.length), thrown + 1);
  }

  /** Locals {this, the parameters, the entered verdict}, and {@code stack} on the stack. */
  private void frame(MethodVisitor code, Type[] parameters, String stack) {
    if (!frames) {
      return; // before Java 6 the verifier infers them
    }
    Object[] locals = new Object[parameters.length + 2];
    locals[0] = owner;
    for (int i = 0; i < parameters.length; i++) {
      locals[i + 1] = parameters[i].getInternalName();
    }
    locals[locals.length - 1] = "java/lang/Object";
    code.visitFrame(
        Opcodes.F_NEW,
        locals.length,
        locals,
        stack == null ? 0 : 1,
        stack == null ? new Object[0] : new Object[] {stack});
  }

  /**
   * {@code return TomcatCallout.postParseRequest(fastlimit$postParseRequest(args), arg1, arg3,
   * Request.class);}
   */
  private void postParseRequest(MethodVisitor code, Entry entry) {
    Type[] parameters = Type.getArgumentTypes(entry.descriptor);
    int size = callRenamed(code, entry, parameters);
    code.visitVarInsn(Opcodes.ALOAD, local(parameters, 1));
    code.visitVarInsn(Opcodes.ALOAD, local(parameters, 3));
    code.visitLdcInsn(Type.getObjectType(entry.requestType));
    code.visitMethodInsn(
        Opcodes.INVOKESTATIC,
        TOMCAT_CALLOUT,
        "postParseRequest",
        "(ZLjava/lang/Object;Ljava/lang/Object;Ljava/lang/Class;)Z",
        false);
    code.visitInsn(Opcodes.IRETURN);
    code.visitMaxs(Math.max(size, 4), size);
  }

  /**
   * {@code TomcatCallout.recycle(this, Request.class)} or {@code
   * ServletCallout.receivedAddress(this, HSR.class)}, then the original.
   */
  private void before(MethodVisitor code, Entry entry) {
    code.visitVarInsn(Opcodes.ALOAD, 0);
    code.visitLdcInsn(Type.getObjectType(entry.requestType));
    if (entry.kind == RECYCLE) {
      code.visitMethodInsn(
          Opcodes.INVOKESTATIC,
          TOMCAT_CALLOUT,
          "recycle",
          "(Ljava/lang/Object;Ljava/lang/Class;)V",
          false);
    } else {
      code.visitMethodInsn(
          Opcodes.INVOKESTATIC,
          SERVLET_CALLOUT,
          "receivedAddress",
          "(Ljava/lang/Object;Ljava/lang/Class;)V",
          false);
    }
    Type[] parameters = Type.getArgumentTypes(entry.descriptor);
    int size = callRenamed(code, entry, parameters);
    code.visitInsn(Type.getReturnType(entry.descriptor).getOpcode(Opcodes.IRETURN));
    code.visitMaxs(Math.max(size, 2), size);
  }

  /** Calls the renamed method with this wrapper's arguments; returns their size in slots. */
  private int callRenamed(MethodVisitor code, Entry entry, Type[] parameters) {
    code.visitVarInsn(Opcodes.ALOAD, 0);
    int slot = 1;
    for (Type parameter : parameters) {
      code.visitVarInsn(parameter.getOpcode(Opcodes.ILOAD), slot);
      slot += parameter.getSize();
    }
    code.visitMethodInsn(
        Opcodes.INVOKESPECIAL,
        owner,
        LaunchWeave.RENAMED_PREFIX + entry.name,
        entry.descriptor,
        false);
    return slot;
  }

  /** The local variable slot of parameter {@code index}. */
  private static int local(Type[] parameters, int index) {
    int slot = 1;
    for (int i = 0; i < index; i++) {
      slot += parameters[i].getSize();
    }
    return slot;
  }
}
