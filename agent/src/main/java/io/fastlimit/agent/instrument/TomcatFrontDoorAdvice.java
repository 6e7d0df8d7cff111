package io.fastlimit.agent.instrument;

import io.fastlimit.bootstrap.Stage;
import io.fastlimit.bootstrap.TomcatCallout;
import net.bytebuddy.asm.Advice;
import org.apache.catalina.connector.Request;

/**
 * Tomcat's front door: inlined at the end of {@code CoyoteAdapter.postParseRequest}, which has
 * decoded, normalized and mapped the request and, when it returns true, hands it to the engine's
 * pipeline: every valve (RemoteIpValve, authenticators for FORM {@code j_security_check}, BASIC and
 * DIGEST), filter and servlet. A shell over {@link TomcatCallout#postParseRequest}, the call the
 * launch weave makes too: {@link TomcatHelper} decides the rules of {@link Stage#CONTAINER} and
 * writes the 429 of a blocked request, whose method result becomes false, so the pipeline never
 * runs. The class constant is Tomcat's connector request as this Tomcat has it (9, 10.1 or 11: one
 * copy serves all), which picks the helper defined beside it.
 */
public final class TomcatFrontDoorAdvice {

  /**
   * This class's name, to name the advice without loading the class (a class literal would, for
   * every server, present or not, at the agent's start).
   */
  public static final String NAME = "io.fastlimit.agent.instrument.TomcatFrontDoorAdvice";

  private TomcatFrontDoorAdvice() {}

  @Advice.OnMethodExit(suppress = Throwable.class)
  public static void exit(
      @Advice.Argument(1) Object request,
      @Advice.Argument(3) Object response,
      @Advice.Return(readOnly = false) boolean toPipeline) {
    toPipeline = TomcatCallout.postParseRequest(toPipeline, request, response, Request.class);
  }
}
