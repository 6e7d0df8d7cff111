package io.fastlimit.agent.request;

/**
 * Finds the {@link RequestFacts} for a request object by its type. The servlet API, in either
 * namespace, is read reflectively: the agent's classes cannot see the application's servlet
 * classes. Other servers add their readers here.
 */
final class KnownRequests {

  private KnownRequests() {}

  private static final ClassValue<RequestFacts> BY_TYPE =
      new ClassValue<RequestFacts>() {
        @Override
        protected RequestFacts computeValue(Class<?> type) {
          RequestFacts servlet = ServletRequestFacts.forType(type);
          if (servlet != null) {
            return servlet;
          }
          RequestFacts core = CoreRequestFacts.forType(type); // the containers' front doors
          if (core != null) {
            return core;
          }
          RequestFacts netty = NettyRequestFacts.forType(type);
          if (netty != null) {
            return netty;
          }
          RequestFacts vertx = VertxRequestFacts.forType(type);
          return vertx != null ? vertx : NoFacts.INSTANCE;
        }
      };

  static RequestFacts factsFor(Object request) {
    return request == null ? NoFacts.INSTANCE : BY_TYPE.get(request.getClass());
  }

  /** For a request the agent cannot read: every fact absent. */
  enum NoFacts implements RequestFacts {
    INSTANCE;

    @Override
    public String header(Object request, String name) {
      return null;
    }

    @Override
    public String queryParameter(Object request, String name) {
      return null;
    }

    @Override
    public String formParameter(Object request, String name) {
      return null;
    }

    @Override
    public String attribute(Object request, String name) {
      return null;
    }
  }
}
