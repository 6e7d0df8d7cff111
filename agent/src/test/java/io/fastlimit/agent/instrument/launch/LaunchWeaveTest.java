package io.fastlimit.agent.instrument.launch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.fastlimit.agent.instrument.ProductionEntries;
import io.fastlimit.agent.instrument.launch.LaunchSamples.Marked;
import io.fastlimit.bootstrap.ActiveRules;
import io.fastlimit.bootstrap.BridgeHolder;
import io.fastlimit.bootstrap.RateLimitBridge;
import io.fastlimit.bootstrap.ServletEntry;
import io.fastlimit.bootstrap.TomcatEntry;
import io.fastlimit.bootstrap.Verdict;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.net.MalformedURLException;
import java.net.URL;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.servlet.FilterChain;
import javax.servlet.ServletException;
import javax.servlet.ServletRequest;
import javax.servlet.ServletResponse;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LaunchWeaveTest {

  private static final String SAMPLES = "io/fastlimit/agent/instrument/launch/LaunchSamples$";
  private static final String JAVAX_REQUEST = "javax.servlet.http.HttpServletRequest";
  private static final String JAKARTA_REQUEST = "jakarta.servlet.http.HttpServletRequest";

  private final List<String> calls = LaunchSamples.CALLS;
  private final LaunchWeave weave = new LaunchWeave();
  private final Weaving loader = new Weaving();
  private Verdict verdict = Verdict.allowedPending(new String[0], new String[0], "pending");

  @BeforeEach
  void installFakeEntries() {
    calls.clear();
    BridgeHolder.set(
        new RateLimitBridge() {
          @Override
          public ActiveRules rules() {
            throw new AssertionError("the fake entries decide");
          }

          @Override
          public boolean decidesAtFilters() {
            return true; // so that the fake entry is asked at filters too
          }

          @Override
          public void answeredInFilter(
              String method,
              String contextPath,
              String servletPath,
              String pathInfo,
              String filter) {}

          @Override
          public void failed(Throwable failure) {
            calls.add("failed " + failure);
          }
        });
    ServletEntry.install(
        new ClassValue<ServletEntry>() {
          @Override
          protected ServletEntry computeValue(Class<?> requestType) {
            return new RecordingEntry(requestType.getName());
          }
        });
    TomcatEntry.install(
        new ClassValue<TomcatEntry>() {
          @Override
          protected TomcatEntry computeValue(Class<?> requestType) {
            return new TomcatEntry() {
              @Override
              public boolean frontDoor(RateLimitBridge bridge, Object request, Object response) {
                calls.add("frontDoor " + requestType.getName());
                return false;
              }

              @Override
              public void recycled(RateLimitBridge bridge, Object request) {
                calls.add("recycled " + requestType.getName());
              }
            };
          }
        });
  }

  @AfterEach
  void uninstall() {
    BridgeHolder.set(null);
    ProductionEntries.install();
  }

  @Test
  void aServletRunsBetweenTheCalloutsOfItsServletApi() throws Exception {
    Class<?> servlet = define(SAMPLES + "PlainServlet");

    service(servlet);

    assertThat(calls)
        .containsExactly(
            "enter service " + JAVAX_REQUEST,
            "PlainServlet.service",
            "completed " + JAVAX_REQUEST + " thrown null");
  }

  @Test
  void aRejectedRequestNeverReachesTheServletAndStillExits() throws Exception {
    verdict = Verdict.blocked(new String[0], new String[0], 429, "text/plain", new byte[0]);
    Class<?> servlet = define(SAMPLES + "PlainServlet");

    service(servlet);

    assertThat(calls).containsExactly("enter service " + JAVAX_REQUEST, "forwarded");
  }

  @Test
  void whatTheServletThrowsIsSeenByTheExitAndRethrown() throws Exception {
    Class<?> servlet = define(SAMPLES + "ThrowingServlet");

    Throwable thrown = catchThrowable(() -> service(servlet));

    assertThat(thrown)
        .isInstanceOf(InvocationTargetException.class)
        .cause()
        .isInstanceOf(IOException.class)
        .hasMessage("the application failed");
    assertThat(calls)
        .containsExactly(
            "enter service " + JAVAX_REQUEST,
            "ThrowingServlet.service",
            "completed " + JAVAX_REQUEST + " thrown java.io.IOException: the application failed");
  }

  @Test
  void aSubclassCallingSuperServiceRunsThroughBothWrappers() throws Exception {
    define(SAMPLES + "PlainServlet");
    Class<?> sub = define(SAMPLES + "SubServlet");

    service(sub);

    assertThat(calls)
        .containsExactly(
            "enter service " + JAVAX_REQUEST,
            "SubServlet.service",
            "enter service " + JAVAX_REQUEST,
            "PlainServlet.service",
            "completed " + JAVAX_REQUEST + " thrown null",
            "completed " + JAVAX_REQUEST + " thrown null");
  }

  @Test
  void aSynchronizedFinalServiceKeepsItsModifiersAndItsMonitor() throws Exception {
    Class<?> servlet = define(SAMPLES + "HeldServlet");

    service(servlet);

    Method wrapper = servlet.getMethod("service", ServletRequest.class, ServletResponse.class);
    assertThat(Modifier.toString(wrapper.getModifiers())).isEqualTo("public final synchronized");
    assertThat(calls).contains("holds its monitor: true");
  }

  @Test
  void aFilterKeepsItsAnnotationsAndExceptionsOnTheWrapperAlone() throws Exception {
    Class<?> filter = define(SAMPLES + "MarkedFilter");
    Class<?>[] parameters = {ServletRequest.class, ServletResponse.class, FilterChain.class};

    Object instance = filter.getConstructor().newInstance();
    FilterChain chain = (request, response) -> calls.add("chain");
    filter.getMethod("doFilter", parameters).invoke(instance, request(), response(), chain);

    Method wrapper = filter.getMethod("doFilter", parameters);
    assertThat(wrapper.getAnnotation(Marked.class)).isNotNull();
    assertThat(wrapper.getParameterAnnotations()[0]).hasSize(1);
    assertThat(wrapper.getExceptionTypes())
        .containsExactly(IOException.class, ServletException.class);
    Method renamed = filter.getDeclaredMethod("fastlimit$doFilter", parameters);
    assertThat(Modifier.toString(renamed.getModifiers())).isEqualTo("private");
    assertThat(renamed.getAnnotations()).isEmpty();
    assertThat(renamed.getParameterAnnotations()[0]).isEmpty();
    assertThat(calls)
        .containsExactly(
            "enter filter " + JAVAX_REQUEST,
            "MarkedFilter.doFilter",
            "chain",
            "completed " + JAVAX_REQUEST + " thrown null");
  }

  @Test
  void aClassOfTheShapeButNoServletIsLeftAsItIs() throws Exception {
    String name = SAMPLES + "NoServlet";

    assertThat(weave.weave(loader, name, classFile(name))).isSameAs(Woven.NOTHING);
  }

  @Test
  void jakartaServletsOfJava8AndJava17ClassFilesPassTheVerifier() throws Exception {
    loader.jakartaServletApi();
    for (int version : new int[] {Opcodes.V1_8, Opcodes.V17}) {
      String name = "com/example/JakartaServlet" + version;
      loader.add(name, jakartaServlet(name, version, "java/lang/Object"));
      Class<?> servlet = define(name);

      Object instance = servlet.getConstructor().newInstance();
      Class<?>[] api = {
        loader.loadClass("jakarta.servlet.ServletRequest"),
        loader.loadClass("jakarta.servlet.ServletResponse")
      };
      servlet.getMethod("service", api).invoke(instance, null, null);

      assertThat(servlet.getMethod("service", api).getTypeParameters()).hasSize(1);
    }
    assertThat(calls)
        .containsExactly(
            "enter service " + JAKARTA_REQUEST,
            "completed " + JAKARTA_REQUEST + " thrown null",
            "enter service " + JAKARTA_REQUEST,
            "completed " + JAKARTA_REQUEST + " thrown null");
  }

  @Test
  void whatCannotBeDecidedForSureIsDoubtful() throws Exception {
    loader.jakartaServletApi();
    String unknownBase = "com/example/OfUnknownBase";
    String tooOld = "com/example/TooOld";
    String plain = SAMPLES + "PlainServlet";

    byte[] ofUnknownBase = jakartaServlet(unknownBase, Opcodes.V1_8, "com/x/Gone", null);

    assertThat(weave.weave(loader, unknownBase, ofUnknownBase)).isSameAs(Woven.DOUBTFUL);
    assertThat(
            weave.weave(loader, tooOld, jakartaServlet(tooOld, Opcodes.V1_4, "java/lang/Object")))
        .isSameAs(Woven.DOUBTFUL);
    assertThat(weave.weave(null, plain, classFile(plain))).isSameAs(Woven.DOUBTFUL);
    assertThat(weave.weave(loader, "com/example/Broken", new byte[] {1, 2, 3}))
        .isSameAs(Woven.DOUBTFUL);
  }

  @Test
  void aClassWovenAlreadyIsNotWovenTwice() throws Exception {
    String name = SAMPLES + "PlainServlet";
    byte[] woven = weave.weave(loader, name, classFile(name)).classFile();

    assertThat(weave.weave(loader, name, woven)).isSameAs(Woven.NOTHING);
  }

  @Test
  void theSameClassFileIsWovenTheSameEveryTime() throws Exception {
    String name = SAMPLES + "MarkedFilter";

    assertThat(weave.weave(loader, name, classFile(name)).classFile())
        .isEqualTo(new LaunchWeave().weave(new Weaving(), name, classFile(name)).classFile());
  }

  @Test
  void tomcatsConnectorRequestCallsOutBeforeRecycleAndSetRemoteAddr() throws Exception {
    loader.ownPackage("org.apache.catalina.connector.");
    Class<?> request = define(LaunchWeave.CONNECTOR_REQUEST);
    Object instance =
        request
            .getConstructor(loader.loadClass("org.apache.catalina.connector.Connector"))
            .newInstance((Object) null);

    request.getMethod("setRemoteAddr", String.class).invoke(instance, "10.0.0.1");
    request.getMethod("recycle").invoke(instance);

    assertThat(calls)
        .containsExactly(
            "receivedAddress " + JAVAX_REQUEST, "recycled org.apache.catalina.connector.Request");
    assertThat(request.getDeclaredMethod("fastlimit$recycle").getModifiers())
        .isEqualTo(Modifier.PRIVATE);
  }

  @Test
  void tomcatsFrontDoorIsWrappedAndPassesTheVerifier() throws Exception {
    loader.ownPackage("org.apache.catalina.connector.");
    define(LaunchWeave.CONNECTOR_REQUEST);
    Class<?> adapter = define(LaunchWeave.COYOTE_ADAPTER);

    Method wrapper = null;
    Method renamed = null;
    for (Method method : adapter.getDeclaredMethods()) {
      if (method.getName().equals("postParseRequest")) {
        wrapper = method;
      } else if (method.getName().equals("fastlimit$postParseRequest")) {
        renamed = method;
      }
    }
    assertThat(wrapper).isNotNull();
    assertThat(Modifier.isProtected(wrapper.getModifiers())).isTrue();
    assertThat(wrapper.getExceptionTypes()).isNotEmpty();
    assertThat(renamed).isNotNull();
    assertThat(Modifier.isPrivate(renamed.getModifiers())).isTrue();
  }

  private void service(Class<?> servlet) throws Exception {
    Object instance = servlet.getConstructor().newInstance();
    servlet
        .getMethod("service", ServletRequest.class, ServletResponse.class)
        .invoke(instance, request(), response());
  }

  /** Weaves the class {@code name} and defines it in the test's loader; fails unless woven. */
  private Class<?> define(String name) throws Exception {
    Woven woven = weave.weave(loader, name, classFile(name));
    assertThat(woven.classFile()).as(name + " woven").isNotNull();
    loader.add(name, woven.classFile());
    return Class.forName(name.replace('/', '.'), true, loader);
  }

  private byte[] classFile(String name) throws IOException {
    try (InputStream in = loader.getResourceAsStream(name + ".class")) {
      return in.readAllBytes();
    }
  }

  private static ServletRequest request() {
    return (ServletRequest)
        Proxy.newProxyInstance(
            LaunchWeaveTest.class.getClassLoader(),
            new Class<?>[] {ServletRequest.class},
            (proxy, method, args) -> null);
  }

  private static ServletResponse response() {
    return (ServletResponse)
        Proxy.newProxyInstance(
            LaunchWeaveTest.class.getClassLoader(),
            new Class<?>[] {ServletResponse.class},
            (proxy, method, args) -> null);
  }

  /**
   * A jakarta servlet of class file {@code version} whose {@code service} is generic (a signature
   * to keep) and returns at once.
   */
  private static byte[] jakartaServlet(String name, int version, String superName) {
    return jakartaServlet(name, version, superName, new String[] {"jakarta/servlet/Servlet"});
  }

  private static byte[] jakartaServlet(
      String name, int version, String superName, String[] interfaces) {
    ClassWriter writer = new ClassWriter(0);
    writer.visit(
        version, Opcodes.ACC_PUBLIC | Opcodes.ACC_SUPER, name, null, superName, interfaces);
    MethodVisitor constructor = writer.visitMethod(Opcodes.ACC_PUBLIC, "<init>", "()V", null, null);
    constructor.visitCode();
    constructor.visitVarInsn(Opcodes.ALOAD, 0);
    constructor.visitMethodInsn(Opcodes.INVOKESPECIAL, superName, "<init>", "()V", false);
    constructor.visitInsn(Opcodes.RETURN);
    constructor.visitMaxs(1, 1);
    constructor.visitEnd();
    String descriptor = "(Ljakarta/servlet/ServletRequest;Ljakarta/servlet/ServletResponse;)V";
    MethodVisitor service =
        writer.visitMethod(
            Opcodes.ACC_PUBLIC, "service", descriptor, "<T:Ljava/lang/Object;>" + descriptor, null);
    service.visitCode();
    service.visitInsn(Opcodes.RETURN);
    service.visitMaxs(0, 3);
    service.visitEnd();
    writer.visitEnd();
    return writer.toByteArray();
  }

  /** An empty public interface. */
  private static byte[] apiInterface(String name) {
    ClassWriter writer = new ClassWriter(0);
    writer.visit(
        Opcodes.V1_8,
        Opcodes.ACC_PUBLIC | Opcodes.ACC_INTERFACE | Opcodes.ACC_ABSTRACT,
        name,
        null,
        "java/lang/Object",
        null);
    writer.visitEnd();
    return writer.toByteArray();
  }

  /** What the call-outs hand the servlet API's entry code, recorded. */
  private final class RecordingEntry extends ServletEntry {
    private final String requestType;

    RecordingEntry(String requestType) {
      this.requestType = requestType;
    }

    @Override
    public Verdict enter(
        RateLimitBridge bridge, boolean atFilter, Object request, Object response) {
      calls.add("enter " + (atFilter ? "filter " : "service ") + requestType);
      return verdict;
    }

    @Override
    public void completed(
        RateLimitBridge bridge,
        Verdict pending,
        Object request,
        Object response,
        Throwable thrown) {
      calls.add("completed " + requestType + " thrown " + thrown);
    }

    @Override
    public void forwarded(Object request) {
      calls.add("forwarded");
    }

    @Override
    public void answeredInFilter(RateLimitBridge bridge, Class<?> filter, Object request) {}

    @Override
    public void receivedAddress(RateLimitBridge bridge, Object request) {
      calls.add("receivedAddress " + requestType);
    }
  }

  /**
   * Defines the classes added to it itself (child first) and answers their class files and the
   * jakarta servlet API's, made here, as resources; the rest comes from the test's class path.
   */
  private static final class Weaving extends ClassLoader {
    private final Map<String, byte[]> classes = new HashMap<>();
    private final List<String> own = new CopyOnWriteArrayList<>();
    private String ownPackage = "-";

    /** Defines the classes of {@code name} (dotted, with the dot) itself, from the class path. */
    void ownPackage(String name) {
      ownPackage = name;
    }

    Weaving() {
      super(LaunchWeaveTest.class.getClassLoader());
    }

    void jakartaServletApi() {
      for (String type :
          new String[] {
            "Servlet",
            "Filter",
            "ServletRequest",
            "ServletResponse",
            "FilterChain",
            "http/HttpServletRequest"
          }) {
        add("jakarta/servlet/" + type, apiInterface("jakarta/servlet/" + type));
      }
    }

    void add(String name, byte[] classFile) {
      classes.put(name + ".class", classFile);
      own.add(name.replace('/', '.'));
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
      synchronized (getClassLoadingLock(name)) {
        if (!own.contains(name) && !name.startsWith(ownPackage)) {
          return super.loadClass(name, resolve);
        }
        Class<?> loaded = findLoadedClass(name);
        if (loaded == null) {
          byte[] classFile = classes.get(name.replace('.', '/') + ".class");
          if (classFile == null) {
            try (InputStream in = getResourceAsStream(name.replace('.', '/') + ".class")) {
              if (in == null) {
                throw new ClassNotFoundException(name);
              }
              classFile = in.readAllBytes();
            } catch (IOException e) {
              throw new ClassNotFoundException(name, e);
            }
          }
          loaded = defineClass(name, classFile, 0, classFile.length);
        }
        return loaded;
      }
    }

    @Override
    public URL getResource(String name) {
      if (classes.containsKey(name)) {
        try {
          return new URL("file:/in-memory/" + name);
        } catch (MalformedURLException e) {
          throw new IllegalStateException(e);
        }
      }
      return super.getResource(name);
    }

    @Override
    public InputStream getResourceAsStream(String name) {
      byte[] classFile = classes.get(name);
      return classFile != null
          ? new java.io.ByteArrayInputStream(classFile)
          : super.getResourceAsStream(name);
    }
  }
}
