package io.fastlimit.agent.instrument;

import static net.bytebuddy.matcher.ElementMatchers.declaresMethod;
import static net.bytebuddy.matcher.ElementMatchers.hasSuperType;
import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.isInterface;
import static net.bytebuddy.matcher.ElementMatchers.isPublic;
import static net.bytebuddy.matcher.ElementMatchers.isStatic;
import static net.bytebuddy.matcher.ElementMatchers.isSynthetic;
import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.fastlimit.agent.observe.AgentLog;
import java.io.IOException;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.pool.TypePool;
import net.bytebuddy.utility.JavaModule;

/**
 * The advice on {@code service(ServletRequest, ServletResponse)} of every concrete javax.servlet
 * and jakarta.servlet Servlet and on {@code doFilter(ServletRequest, ServletResponse, FilterChain)}
 * of every Filter, including classes already loaded (retransformation, for attaching to a running
 * JVM).
 */
public final class ServletInstrumentation {

  private ServletInstrumentation() {}

  /**
   * Never transformed, by name alone: the JDK's own classes and the agent's (but not an application
   * whose packages happen to start with io.fastlimit, as our samples do).
   */
  static final ElementMatcher.Junction<TypeDescription> IGNORED =
      nameStartsWith("java.")
          .or(nameStartsWith("jdk."))
          .or(nameStartsWith("sun."))
          .or(nameStartsWith("com.sun."))
          .or(nameStartsWith("io.fastlimit.agent."))
          .or(nameStartsWith("io.fastlimit.bootstrap."));

  /**
   * The agent's one builder: Byte Buddy's settings, the ignore list and the cheap prefilter, with
   * the servlet, forwarding and front-door advice; the Netty and Vert.x instrumentations extend it
   * ({@link AgentInstrumentation}), so the JVM runs one transformer and matches each class once.
   */
  static AgentBuilder builder() throws IOException {
    Callouts.install(); // the entry code the advice calls; a no-op when the launch weave did it
    ResolvedAdvice.Source advice = new ResolvedAdvice.Source(adviceClasses());
    EntryPointPrefilter prefilter = new EntryPointPrefilter();
    AgentBuilder servlets =
        AgentBuilders.create()
            .disableClassFormatChanges()
            .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
            .with(AgentBuilder.TypeStrategy.Default.DECORATE)
            .with(AgentBuilder.InitializationStrategy.NoOp.INSTANCE)
            .with(new FailureLogger())
            .with(prefilter)
            // names only: nothing here may parse the class file (see EntryPointPrefilter)
            .ignore(IGNORED.or(prefilter.notAnEntryPoint()))
            .or(EntryPointPrefilter.loadedNotAnEntryPoint())
            .type(implementations("javax.servlet", prefilter))
            .transform(javaxAdvice(advice))
            .type(implementations("jakarta.servlet", prefilter))
            .transform(
                advice(
                    "jakarta.servlet",
                    JakartaAdvice.NAME,
                    JakartaAdvice.COMPLETION_EXIT_NAME,
                    JakartaAdvice.FILTER_EXIT_NAME,
                    advice));
    AgentBuilder forwarding = ForwardingInstrumentation.extend(servlets, advice);
    return FrontDoorInstrumentation.extend(forwarding, advice);
  }

  /** The advice classes: the agent's own, with the jakarta copies the build made of them. */
  static ClassFileLocator adviceClasses() {
    return ClassFileLocator.ForClassLoader.of(ServletInstrumentation.class.getClassLoader());
  }

  /**
   * Concrete servlets and filters of one servlet API that declare the entry method themselves (a
   * servlet that only overrides doGet runs HttpServlet's service, which carries the advice). The
   * prefilter turns down by a byte search the class files that cannot declare the method, without
   * parsing them; of the two costly tests the cheaper runs first ({@link CheapestFirst}): the walk
   * up the type hierarchy for a class still being loaded had quadrupled a Spring Boot start, and
   * reading a loaded class's methods loads every type they name.
   */
  static ElementMatcher.Junction<TypeDescription> implementations(
      String servletPackage, EntryPointPrefilter prefilter) {
    return prefilter
        .mayDeclareEntryPoint()
        .and(not(isSynthetic()))
        .and(not(isInterface()))
        .and(
            new CheapestFirst(
                declaresMethod(entryMethod(servletPackage)),
                hasSuperType(named(servletPackage + ".Servlet"))
                    .or(hasSuperType(named(servletPackage + ".Filter")))));
  }

  /**
   * Both conditions, the cheaper first. A class described from its class file has its methods at
   * hand, while its super types would each be read from the class loader: methods first. A loaded
   * class (matched at install or attach, thousands of them) has its super types at hand, while
   * asking for its methods loads every type they name: super types first.
   */
  private static final class CheapestFirst
      extends ElementMatcher.Junction.AbstractBase<TypeDescription> {
    private final ElementMatcher<TypeDescription> declaresEntry;
    private final ElementMatcher<TypeDescription> servletOrFilter;

    CheapestFirst(
        ElementMatcher<TypeDescription> declaresEntry,
        ElementMatcher<TypeDescription> servletOrFilter) {
      this.declaresEntry = declaresEntry;
      this.servletOrFilter = servletOrFilter;
    }

    @Override
    public boolean matches(TypeDescription target) {
      if (target instanceof TypeDescription.ForLoadedType) {
        return servletOrFilter.matches(target) && declaresEntry.matches(target);
      }
      return declaresEntry.matches(target) && servletOrFilter.matches(target);
    }
  }

  /** Public concrete service(ServletRequest, ServletResponse) or doFilter(..., FilterChain). */
  private static ElementMatcher.Junction<MethodDescription> entryMethod(String servletPackage) {
    return serviceMethod(servletPackage).or(doFilterMethod(servletPackage));
  }

  private static ElementMatcher.Junction<MethodDescription> serviceMethod(String servletPackage) {
    return concrete()
        .and(named("service"))
        .and(takesArguments(2))
        .and(takesArgument(0, named(servletPackage + ".ServletRequest")))
        .and(takesArgument(1, named(servletPackage + ".ServletResponse")));
  }

  private static ElementMatcher.Junction<MethodDescription> doFilterMethod(String servletPackage) {
    return concrete()
        .and(named("doFilter"))
        .and(takesArguments(3))
        .and(takesArgument(0, named(servletPackage + ".ServletRequest")))
        .and(takesArgument(1, named(servletPackage + ".ServletResponse")))
        .and(takesArgument(2, named(servletPackage + ".FilterChain")));
  }

  private static ElementMatcher.Junction<MethodDescription> concrete() {
    return isPublic().and(not(isAbstract())).and(not(isStatic()));
  }

  /** The javax.servlet advice (its own method so a test can weave it). */
  static AgentBuilder.Transformer javaxAdvice(ResolvedAdvice.Source advice) {
    return advice(
        "javax.servlet",
        ServletApiAdvice.class.getName(),
        CompletionExitAdvice.class.getName(),
        FilterExitAdvice.class.getName(),
        advice);
  }

  /**
   * The enter advice on both entry methods; at servlets the exit that reports how a request that
   * awaits it ended, at filters the exit that traces them (and reports the same).
   */
  private static AgentBuilder.Transformer advice(
      String servletPackage,
      String enter,
      String serviceExit,
      String filterExit,
      ResolvedAdvice.Source advice) {
    return advice
        .advice(serviceMethod(servletPackage), enter, serviceExit)
        .advice(doFilterMethod(servletPackage), enter, filterExit);
  }

  /** Logs a class that could not be instrumented, once each; the class stays as it was. */
  private static final class FailureLogger extends AgentBuilder.Listener.Adapter {
    @Override
    public void onError(
        String typeName,
        ClassLoader classLoader,
        JavaModule module,
        boolean loaded,
        Throwable throwable) {
      if (throwable instanceof TypePool.Resolution.NoSuchTypeException
          && servletApi(((TypePool.Resolution.NoSuchTypeException) throwable).getName())) {
        // a class built on a servlet API its class loader does not have (spring-web's servlet
        // filters in a WebFlux app): it can never serve a request, so there is nothing to limit
        return;
      }
      AgentLog.once("could not instrument " + typeName + "; it runs unlimited", throwable);
    }

    private static boolean servletApi(String missingType) {
      return missingType != null
          && (missingType.startsWith("javax.servlet.")
              || missingType.startsWith("jakarta.servlet."));
    }
  }
}
