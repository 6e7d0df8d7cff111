package io.fastlimit.sample.undertow;

import io.fastlimit.sample.servlets.SampleServlets;
import io.undertow.Handlers;
import io.undertow.Undertow;
import io.undertow.server.HttpHandler;
import io.undertow.servlet.Servlets;
import io.undertow.servlet.api.DeploymentInfo;
import io.undertow.servlet.api.DeploymentManager;
import io.undertow.servlet.api.ErrorPage;
import io.undertow.servlet.util.ImmediateInstanceFactory;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServlet;
import java.net.InetSocketAddress;

/**
 * The sample servlets on an embedded Undertow, an ordinary app that knows nothing of fastlimit.
 * With {@code -Dsample.forwarded=true} Undertow resolves X-Forwarded-For itself
 * (ProxyPeerAddressHandler, what proxy-address-forwarding turns on), as behind a proxy.
 */
public final class SampleApp {

  private SampleApp() {}

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
