package io.fastlimit.agent.instrument;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastlimit.bootstrap.ActiveRules;
import io.fastlimit.bootstrap.BridgeHolder;
import io.fastlimit.bootstrap.RateLimitBridge;
import io.fastlimit.bootstrap.ServletCallout;
import io.fastlimit.bootstrap.ServletEntry;
import io.fastlimit.bootstrap.Verdict;
import java.util.ArrayList;
import java.util.List;
import javax.servlet.http.HttpServletRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The servlet call-outs every instrumented servlet and filter calls, whichever way it was woven:
 * what they hand the {@link ServletEntry} of the servlet API named, and that nothing the entry does
 * wrong reaches the application.
 */
class ServletCalloutTest {

  private final List<String> calls = new ArrayList<>();
  private final List<Throwable> failures = new ArrayList<>();
  private final Object request = "the request";
  private final Object response = "the response";
  private Verdict decided;
  private RuntimeException entryFails;
  private boolean rulesAtFilters = true;

  private static final Verdict PENDING =
      Verdict.allowedPending(new String[0], new String[0], "charges to give back");
  private static final Verdict BLOCKED =
      Verdict.blocked(new String[0], new String[0], 429, "text/plain", new byte[0]);

  /** Records what it is handed; decides {@link #decided}, or throws {@link #entryFails}. */
  private final class RecordingEntry extends ServletEntry {
    @Override
    public Verdict enter(
        RateLimitBridge bridge, boolean atFilter, Object request, Object response) {
      calls.add("enter " + (atFilter ? "filter " : "servlet ") + request + ", " + response);
      if (entryFails != null) {
        throw entryFails;
      }
      return decided;
    }

    @Override
    public void completed(
        RateLimitBridge bridge, Verdict pending, Object request, Object response, Throwable t) {
      calls.add("completed " + pending.pending() + " " + request + " " + t);
    }

    @Override
    public void forwarded(Object request) {
      calls.add("forwarded " + request);
    }

    @Override
    public void answeredInFilter(RateLimitBridge bridge, Class<?> filter, Object request) {
      calls.add("answeredInFilter " + filter.getSimpleName());
    }

    @Override
    public void receivedAddress(RateLimitBridge bridge, Object request) {
      calls.add("receivedAddress " + request);
    }
  }

  @BeforeEach
  void installFakes() {
    ServletEntry entry = new RecordingEntry();
    ServletEntry.install(
        new ClassValue<ServletEntry>() {
          @Override
          protected ServletEntry computeValue(Class<?> requestType) {
            return requestType == HttpServletRequest.class ? entry : null;
          }
        });
    BridgeHolder.set(
        new RateLimitBridge() {
          @Override
          public ActiveRules rules() {
            throw new AssertionError("the entry reads the rules, never the call-out");
          }

          @Override
          public boolean decidesAtFilters() {
            return rulesAtFilters;
          }

          @Override
          public void answeredInFilter(
              String method, String contextPath, String servletPath, String pathInfo, String f) {}

          @Override
          public void failed(Throwable failure) {
            failures.add(failure);
          }
        });
  }

  @AfterEach
  void restore() {
    BridgeHolder.set(null);
    FakeServlet.installHelpers();
  }

  /** Stand-ins for application filters: only their classes matter. */
  private static final class OuterFilter {}

  private static final class LoginFilter {}

  private Object enterFilter(Object filter) {
    return ServletCallout.enter(filter, request, response, true, HttpServletRequest.class);
  }

  private void exitFilter(Object entered, Throwable thrown) {
    ServletCallout.filterExit(entered, request, response, thrown, HttpServletRequest.class);
  }

  @Test
  void aServletsEnterHandsTheRequestToItsServletApisEntry() {
    decided = PENDING;

    Object entered = ServletCallout.enter(this, request, response, false, HttpServletRequest.class);

    assertThat(entered).isSameAs(PENDING);
    assertThat(ServletCallout.rejected(entered)).isFalse();
    assertThat(calls).containsExactly("enter servlet the request, the response");
  }

  @Test
  void aBlockedVerdictIsRejected() {
    decided = BLOCKED;

    Object entered = ServletCallout.enter(this, request, response, false, HttpServletRequest.class);

    assertThat(ServletCallout.rejected(entered)).isTrue();
    assertThat(ServletCallout.rejected(null)).isFalse();
  }

  @Test
  void aFailingEntryLetsTheRequestThroughAndIsReported() {
    entryFails = new IllegalStateException("the helper failed");

    Object entered = ServletCallout.enter(this, request, response, false, HttpServletRequest.class);

    assertThat(entered).isNull();
    assertThat(ServletCallout.rejected(entered)).isFalse();
    assertThat(failures).containsExactly(entryFails);
  }

  @Test
  void aServletApiWithoutAnEntryIsLetThrough() {
    decided = BLOCKED;

    Object entered = ServletCallout.enter(this, request, response, false, String.class);

    assertThat(ServletCallout.rejected(entered)).isFalse();
    assertThat(calls).isEmpty();
    assertThat(failures).isEmpty();
  }

  @Test
  void withoutABridgeNothingIsAsked() {
    BridgeHolder.set(null);
    decided = BLOCKED;

    Object entered = ServletCallout.enter(this, request, response, false, HttpServletRequest.class);
    ServletCallout.serviceExit(entered, request, response, null, HttpServletRequest.class);

    assertThat(entered).isNull();
    assertThat(calls).isEmpty();
  }

  @Test
  void aServletsExitReportsTheEndOfAPendingVerdict() {
    Throwable thrown = new IllegalStateException("the app failed");

    ServletCallout.serviceExit(PENDING, request, response, thrown, HttpServletRequest.class);

    assertThat(calls).containsExactly("completed charges to give back the request " + thrown);
  }

  @Test
  void aServletsExitThatDecidedNothingRecordsAForward() {
    ServletCallout.serviceExit(null, request, response, null, HttpServletRequest.class);
    ServletCallout.serviceExit(
        Verdict.allowed(new String[0], new String[0]),
        request,
        response,
        null,
        HttpServletRequest.class);

    assertThat(calls).containsExactly("forwarded the request", "forwarded the request");
  }

  @Test
  void aRequestAnsweredInsideAFilterIsReportedAtTheOutermostFilter() {
    Object outer = enterFilter(new OuterFilter());
    Object inner = enterFilter(new LoginFilter());
    exitFilter(inner, null);
    assertThat(calls)
        .as("an inner filter returning is not the end")
        .noneMatch(c -> c.startsWith("answered"));
    exitFilter(outer, null);

    assertThat(calls)
        .containsExactly(
            "enter filter the request, the response",
            "enter filter the request, the response",
            "answeredInFilter LoginFilter");
  }

  @Test
  void withNoRuleDecidedAtFiltersTheEntryIsNotAskedThereYetTheTraceIsKept() {
    rulesAtFilters = false;

    Object outer = enterFilter(new OuterFilter());
    Object inner = enterFilter(new LoginFilter());
    assertThat(ServletCallout.rejected(outer)).isFalse();
    assertThat(ServletCallout.rejected(inner)).isFalse();
    exitFilter(inner, null);
    exitFilter(outer, null);

    assertThat(calls).containsExactly("answeredInFilter LoginFilter");
    assertThat(failures).isEmpty();
  }

  @Test
  void withNoRuleDecidedAtFiltersARequestThatReachesAServletIsNotReportedAtTheFilter() {
    rulesAtFilters = false;
    decided = null;

    Object outer = enterFilter(new OuterFilter());
    io.fastlimit.bootstrap.FilterTrace.current().reachServlet(); // the entry does this at a servlet
    exitFilter(outer, null);

    assertThat(calls).isEmpty();
  }

  @Test
  void aRequestTheAgentRejectedAtAFilterIsNotReportedAsAnsweredThere() {
    decided = BLOCKED;

    Object entered = enterFilter(new LoginFilter());
    exitFilter(entered, null); // the filter's body was skipped

    assertThat(ServletCallout.rejected(entered)).isTrue();
    assertThat(calls).containsExactly("enter filter the request, the response");
  }

  @Test
  void aFilterThatAdmittedAPendingVerdictReportsItsEnd() {
    decided = PENDING;

    exitFilter(enterFilter(new LoginFilter()), null);

    assertThat(calls)
        .containsExactly(
            "enter filter the request, the response",
            "completed charges to give back the request null",
            "answeredInFilter LoginFilter");
  }

  @Test
  void aFailingEntryAtAFilterStillLeavesTheFilterTrace() {
    entryFails = new IllegalStateException("the helper failed");
    exitFilter(enterFilter(new OuterFilter()), null);
    entryFails = null;
    calls.clear();

    exitFilter(enterFilter(new LoginFilter()), null);

    assertThat(calls).contains("answeredInFilter LoginFilter");
    assertThat(failures).hasSize(1);
  }

  @Test
  void theReceivedAddressGoesToItsServletApisEntry() {
    ServletCallout.receivedAddress(request, HttpServletRequest.class);

    assertThat(calls).containsExactly("receivedAddress the request");
  }
}
