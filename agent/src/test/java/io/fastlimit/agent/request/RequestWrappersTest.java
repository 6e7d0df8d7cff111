package io.fastlimit.agent.request;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import javax.servlet.ServletRequest;
import javax.servlet.ServletRequestWrapper;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletRequestWrapper;
import org.junit.jupiter.api.Test;

/** The one walk from a servlet request, through the app's wrappers, to the container's request. */
class RequestWrappersTest {

  /** The container's own request in these tests: any request that is not a wrapper. */
  private static final HttpServletRequest CONTAINERS =
      (HttpServletRequest)
          Proxy.newProxyInstance(
              RequestWrappersTest.class.getClassLoader(),
              new Class<?>[] {HttpServletRequest.class},
              (proxy, method, args) -> {
                throw new UnsupportedOperationException(method.getName());
              });

  private static final RequestWrappers.Container FINDS_ITS_OWN =
      new RequestWrappers.Container() {
        @Override
        public Object found(Object request) {
          return request == CONTAINERS ? "found" : null;
        }

        @Override
        public Object facadeOf(Object request) {
          return null;
        }
      };

  private static ServletRequest wrapped(int times) {
    ServletRequest request = CONTAINERS;
    for (int i = 0; i < times; i++) {
      request =
          i == 0
              ? new HttpServletRequestWrapper((HttpServletRequest) request)
              : new ServletRequestWrapper(request) {};
    }
    return request;
  }

  @Test
  void findsTheContainersRequestItselfOrBehindAChainOfWrappers() {
    assertThat(RequestWrappers.innermost(CONTAINERS, FINDS_ITS_OWN)).isEqualTo("found");
    assertThat(RequestWrappers.innermost(wrapped(1), FINDS_ITS_OWN)).isEqualTo("found");
    assertThat(RequestWrappers.innermost(wrapped(9), FINDS_ITS_OWN)).isEqualTo("found");
  }

  @Test
  void goesThroughTheContainersFacade() {
    Object facade = new Object();
    RequestWrappers.Container withFacade =
        new RequestWrappers.Container() {
          @Override
          public Object found(Object request) {
            return FINDS_ITS_OWN.found(request);
          }

          @Override
          public Object facadeOf(Object request) {
            return request == facade ? wrapped(2) : null;
          }
        };

    assertThat(RequestWrappers.innermost(facade, withFacade)).isEqualTo("found");
  }

  @Test
  void aRequestOfAnotherContainerGivesNothing() {
    RequestWrappers.Container another =
        new RequestWrappers.Container() {
          @Override
          public Object found(Object request) {
            return null;
          }

          @Override
          public Object facadeOf(Object request) {
            return null;
          }
        };

    assertThat(RequestWrappers.innermost(wrapped(3), another)).isNull();
    assertThat(RequestWrappers.innermost(null, FINDS_ITS_OWN)).isNull();
  }

  @Test
  void aWrapperChainThatLoopsEndsTheWalkWithNothing() {
    ServletRequestWrapper first = new ServletRequestWrapper(CONTAINERS);
    ServletRequestWrapper second = new ServletRequestWrapper(first);
    first.setRequest(second); // first -> second -> first -> ...

    assertThat(RequestWrappers.innermost(first, FINDS_ITS_OWN)).isNull();
  }

  @Test
  void aChainDeeperThanTheBoundIsTakenForALoop() {
    assertThat(RequestWrappers.innermost(wrapped(RequestWrappers.MAX_DEPTH - 1), FINDS_ITS_OWN))
        .isEqualTo("found");
    assertThat(RequestWrappers.innermost(wrapped(RequestWrappers.MAX_DEPTH), FINDS_ITS_OWN))
        .isNull();
  }
}
