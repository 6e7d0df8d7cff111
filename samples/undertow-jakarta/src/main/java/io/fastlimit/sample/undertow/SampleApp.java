package io.fastlimit.sample.undertow;

import io.fastlimit.sample.servlets.SampleServlets;
import io.undertow.Handlers;
import io.undertow.Undertow;
import io.undertow.security.idm.Account;
import io.undertow.security.idm.Credential;
import io.undertow.security.idm.IdentityManager;
import io.undertow.security.idm.PasswordCredential;
import io.undertow.server.HttpHandler;
import io.undertow.servlet.Servlets;
import io.undertow.servlet.api.DeploymentInfo;
import io.undertow.servlet.api.DeploymentManager;
import io.undertow.servlet.api.ErrorPage;
import io.undertow.servlet.api.LoginConfig;
import io.undertow.servlet.api.SecurityConstraint;
import io.undertow.servlet.api.WebResourceCollection;
import io.undertow.servlet.util.ImmediateInstanceFactory;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServlet;
import java.net.InetSocketAddress;
import java.security.Principal;
import java.util.Set;

/**
 * The sample servlets on an embedded Undertow, an ordinary app that knows nothing of fastlimit.
 * With {@code -Dsample.forwarded=true} Undertow resolves X-Forwarded-For itself
 * (ProxyPeerAddressHandler, what proxy-address-forwarding turns on), as behind a proxy. {@code
 * /secure/*} asks for a BASIC login, or with {@code -Dsample.login=FORM} a FORM login (login page
 * {@value #LOGIN_PAGE}, error page {@value #LOGIN_ERROR_PAGE}, posted to {@code
 * /secure/j_security_check}).
 */
public final class SampleApp {

  static final String LOGIN_PAGE = "/api/login-page";
  static final String LOGIN_ERROR_PAGE = "/api/login-error";

  private SampleApp() {}

  /**
   * Container-managed BASIC (or FORM) authentication over {@code /secure/*} (user admin, password
   * right-one), which Undertow's security handlers answer before any filter or servlet.
   */
  private static void basicLogin(DeploymentInfo deployment) {
    Account admin =
        new Account() {
          private static final long serialVersionUID = 1L;

          @Override
          public Principal getPrincipal() {
            return () -> "admin";
          }

          @Override
          public Set<String> getRoles() {
            return Set.of("user");
          }
        };
    IdentityManager users =
        new IdentityManager() {
          @Override
          public Account verify(Account account) {
            return account;
          }

          @Override
          public Account verify(String id, Credential credential) {
            boolean right =
                id.equals("admin")
                    && credential instanceof PasswordCredential password
                    && new String(password.getPassword()).equals("right-one");
            return right ? admin : null;
          }

          @Override
          public Account verify(Credential credential) {
            return null;
          }
        };
    deployment
        .setLoginConfig(
            "FORM".equals(System.getProperty("sample.login"))
                ? new LoginConfig("FORM", "sample", LOGIN_PAGE, LOGIN_ERROR_PAGE)
                : new LoginConfig("BASIC", "sample"))
        .setIdentityManager(users)
        .addSecurityRole("user")
        .addSecurityConstraint(
            new SecurityConstraint()
                .addWebResourceCollection(new WebResourceCollection().addUrlPattern("/secure/*"))
                .addRoleAllowed("user"));
  }

  public static void main(String[] args) throws Exception {
    DeploymentInfo deployment =
        Servlets.deployment()
            .setClassLoader(SampleApp.class.getClassLoader())
            .setContextPath("/")
            .setDeploymentName("sample");
    for (SampleServlets.Route route : SampleServlets.routes()) {
      HttpServlet servlet = route.servlet();
      deployment.addServlet(
          Servlets.servlet(
                  route.name(), servlet.getClass(), new ImmediateInstanceFactory<>(servlet))
              .setAsyncSupported(route.async())
              .addMappings(route.patterns()));
    }
    for (SampleServlets.FilterRoute route : SampleServlets.filters()) {
      HttpFilter filter = route.filter();
      deployment.addFilter(
          Servlets.filter(route.name(), filter.getClass(), new ImmediateInstanceFactory<>(filter)));
      for (String pattern : route.patterns()) {
        deployment.addFilterUrlMapping(route.name(), pattern, DispatcherType.REQUEST);
      }
    }
    deployment.addErrorPage(new ErrorPage(SampleServlets.ERROR_PAGE, 500));
    basicLogin(deployment);
    DeploymentManager manager = Servlets.defaultContainer().addDeployment(deployment);
    manager.deploy();
    HttpHandler handler = manager.start();
    if (Boolean.getBoolean("sample.forwarded")) {
      handler = Handlers.proxyPeerAddress(handler);
    }
    Undertow server =
        Undertow.builder()
            .addHttpListener(SampleServlets.port(args), "localhost")
            .setHandler(handler)
            .build();
    server.start();
    SampleServlets.announce(
        "Undertow, jakarta",
        ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort());
  }
}
