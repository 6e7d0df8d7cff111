package io.fastlimit.agent.instrument;

import static net.bytebuddy.matcher.ElementMatchers.hasSuperType;
import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.isInterface;
import static net.bytebuddy.matcher.ElementMatchers.isPublic;
import static net.bytebuddy.matcher.ElementMatchers.isSynthetic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.fastlimit.agent.observe.AgentLog;
import java.io.IOException;
import java.lang.instrument.Instrumentation;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.agent.builder.ResettableClassFileTransformer;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.utility.JavaModule;

/**
 * Installs the advice on {@code service(ServletRequest, ServletResponse)} of every concrete
 * javax.servlet and jakarta.servlet Servlet, including classes already loaded (retransformation,
 * for attaching to a running JVM).
 */
public final class ServletInstrumentation {

  private ServletInstrumentation() {}

  public static ResettableClassFileTransformer install(Instrumentation instrumentation)
      throws IOException {
    ClassFileLocator agentClasses =
        ClassFileLocator.ForClassLoader.of(ServletInstrumentation.class.getClassLoader());
    ClassFileLocator adviceClasses =
        new ClassFileLocator.Compound(agentClasses, JakartaAdvice.locator(agentClasses));
    return new AgentBuilder.Default()
        .disableClassFormatChanges()
        .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
        .with(AgentBuilder.TypeStrategy.Default.DECORATE)
        .with(AgentBuilder.InitializationStrategy.NoOp.INSTANCE)
        .with(new FailureLogger())
        .ignore(
            nameStartsWith("java.")
                .or(nameStartsWith("jdk."))
                .or(nameStartsWith("sun."))
                .or(nameStartsWith("com.sun."))
                .or(nameStartsWith("io.fastlimit."))
                .or(isSynthetic()))
        .type(servlets("javax.servlet"))
        .transform(advice("javax.servlet", ServletAdvice.class.getName(), adviceClasses))
        .type(servlets("jakarta.servlet"))
        .transform(advice("jakarta.servlet", JakartaAdvice.NAME, adviceClasses))
        .installOn(instrumentation);
  }

  private static ElementMatcher.Junction<TypeDescription> servlets(String servletPackage) {
    return not(isInterface()).and(hasSuperType(named(servletPackage + ".Servlet")));
  }

  private static AgentBuilder.Transformer advice(
      String servletPackage, String adviceClass, ClassFileLocator adviceClasses) {
    ElementMatcher.Junction<MethodDescription> serviceMethod =
        named("service")
            .and(isPublic())
            .and(not(isAbstract()))
            .and(takesArguments(2))
            .and(takesArgument(0, named(servletPackage + ".ServletRequest")))
            .and(takesArgument(1, named(servletPackage + ".ServletResponse")));
    return new AgentBuilder.Transformer.ForAdvice()
        .include(adviceClasses)
        .advice(serviceMethod, adviceClass);
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
      AgentLog.once("could not instrument " + typeName + "; it runs unlimited", throwable);
    }
  }
}
