package io.fastlimit.agent.instrument;

import io.fastlimit.bootstrap.TomcatCallout;
import net.bytebuddy.asm.Advice;
import org.apache.catalina.connector.Request;

/**
 * Inlined at the start of Tomcat's {@code org.apache.catalina.connector.Request.recycle()}, which
 * Tomcat calls once a request is over, synchronous or async, its response complete and still
 * readable: a shell over {@link TomcatCallout#recycle}, the call the launch weave makes too. {@link
 * TomcatHelper} tells the bridge how a request ended whose front-door verdict awaits it ({@link
 * TomcatFrontDoorAdvice}), and writes the access log line of a request refused there, which
 * Tomcat's adapter does not log (it logs only requests its pipeline ran).
 */
public final class TomcatCompletedAdvice {

  /**
   * This class's name, to name the advice without loading the class (a class literal would, for
   * every server, present or not, at the agent's start).
   */
  public static final String NAME = "io.fastlimit.agent.instrument.TomcatCompletedAdvice";

  private TomcatCompletedAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class)
  public static void enter(@Advice.This Object request) {
    TomcatCallout.recycle(request, Request.class);
  }
}
