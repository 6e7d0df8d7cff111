package io.fastlimit.sample.undertow;

import io.fastlimit.sample.servlets.SampleServlets;
import io.undertow.Undertow;
import io.undertow.servlet.Servlets;
import io.undertow.servlet.api.DeploymentInfo;
import io.undertow.servlet.api.DeploymentManager;
import io.undertow.servlet.api.ErrorPage;
import io.undertow.servlet.util.ImmediateInstanceFactory;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServlet;
import java.net.InetSocketAddress;

/** The sample servlets on an embedded Undertow, an ordinary app that knows nothing of fastlimit. */
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
          Servlets.servlet(route.name(), servlet.getClass(), new ImmediateInstanceFactory<>(servlet))
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
    Undertow server =
        Undertow.builder()
            .addHttpListener(SampleServlets.port(args), "localhost")
            .setHandler(manager.start())
            .build();
    server.start();
    SampleServlets.announce(
        "Undertow, jakarta",
        ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort());
  }
}
