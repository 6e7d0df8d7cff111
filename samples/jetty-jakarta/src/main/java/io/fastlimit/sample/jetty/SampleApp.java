package io.fastlimit.sample.jetty;

import io.fastlimit.sample.servlets.SampleServlets;
import jakarta.servlet.DispatcherType;
import java.util.EnumSet;
import org.eclipse.jetty.ee10.servlet.ErrorPageErrorHandler;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.ee10.servlet.security.ConstraintMapping;
import org.eclipse.jetty.ee10.servlet.security.ConstraintSecurityHandler;
import org.eclipse.jetty.security.Constraint;
import org.eclipse.jetty.security.HashLoginService;
import org.eclipse.jetty.security.UserStore;
import org.eclipse.jetty.security.authentication.BasicAuthenticator;
import org.eclipse.jetty.server.ForwardedRequestCustomizer;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.security.Password;

/**
 * The sample servlets on an embedded Jetty 12 (ee10), an ordinary app that knows nothing of
 * fastlimit. With {@code -Dsample.forwarded=true} Jetty resolves X-Forwarded-For itself
 * (ForwardedRequestCustomizer), as behind a proxy. {@code /secure/*} asks for a BASIC login.
 */
public final class SampleApp {

  private SampleApp() {}

  /**
   * Container-managed BASIC authentication over {@code /secure/*} (user admin, password right-one),
   * which Jetty's security handler answers before any filter or servlet.
   */
  private static ConstraintSecurityHandler basicLogin() {
    ConstraintMapping mapping = new ConstraintMapping();
    mapping.setPathSpec("/secure/*");
    mapping.setConstraint(Constraint.from("user"));
    UserStore users = new UserStore();
    users.addUser("admin", new Password("right-one"), new String[] {"user"});
    HashLoginService login = new HashLoginService("sample");
    login.setUserStore(users);
    ConstraintSecurityHandler security = new ConstraintSecurityHandler();
    security.addConstraintMapping(mapping);
    security.setAuthenticator(new BasicAuthenticator());
    security.setLoginService(login);
    return security;
  }

  public static void main(String[] args) throws Exception {
    Server server = new Server();
    HttpConfiguration http = new HttpConfiguration();
    if (Boolean.getBoolean("sample.forwarded")) {
      http.addCustomizer(new ForwardedRequestCustomizer());
    }
    ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
    connector.setPort(SampleServlets.port(args));
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler("/");
    for (SampleServlets.Route route : SampleServlets.routes()) {
      ServletHolder holder = new ServletHolder(route.name(), route.servlet());
      holder.setAsyncSupported(route.async());
      for (String pattern : route.patterns()) {
        context.addServlet(holder, pattern);
      }
    }
    for (SampleServlets.FilterRoute route : SampleServlets.filters()) {
      FilterHolder holder = new FilterHolder(route.filter());
      holder.setName(route.name());
      for (String pattern : route.patterns()) {
        context.addFilter(holder, pattern, EnumSet.of(DispatcherType.REQUEST));
      }
    }
    ErrorPageErrorHandler errorPages = new ErrorPageErrorHandler();
    errorPages.addErrorPage(500, SampleServlets.ERROR_PAGE);
    context.setErrorHandler(errorPages);
    context.setSecurityHandler(basicLogin());
    server.setHandler(context);
    server.start();
    SampleServlets.announce("Jetty 12, jakarta", connector.getLocalPort());
    server.join();
  }
}
