package io.fastlimit.sample.jakarta;

import io.fastlimit.sample.servlets.SampleServlets;
import java.io.File;
import java.nio.file.Files;
import org.apache.catalina.Context;
import org.apache.catalina.Wrapper;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.descriptor.web.ErrorPage;
import org.apache.tomcat.util.descriptor.web.FilterDef;
import org.apache.tomcat.util.descriptor.web.FilterMap;

/**
 * The sample servlets on an embedded Tomcat 11, an ordinary app that knows nothing of fastlimit.
 */
public final class SampleApp {

  private SampleApp() {}

  public static void main(String[] args) throws Exception {
    File base = Files.createTempDirectory("sample-tomcat").toFile();
    Tomcat tomcat = new Tomcat();
    tomcat.setBaseDir(base.getAbsolutePath());
    tomcat.setPort(SampleServlets.port(args));
    tomcat.getConnector();
    Context context = tomcat.addContext("", base.getAbsolutePath());
    for (SampleServlets.Route route : SampleServlets.routes()) {
      Wrapper wrapper = Tomcat.addServlet(context, route.name(), route.servlet());
      wrapper.setAsyncSupported(route.async());
      for (String pattern : route.patterns()) {
        context.addServletMapping(pattern, route.name());
      }
    }
    for (SampleServlets.FilterRoute route : SampleServlets.filters()) {
      FilterDef filter = new FilterDef();
      filter.setFilterName(route.name());
      filter.setFilter(route.filter());
      context.addFilterDef(filter);
      FilterMap mapping = new FilterMap();
      mapping.setFilterName(route.name());
      for (String pattern : route.patterns()) {
        mapping.addURLPattern(pattern);
      }
      context.addFilterMap(mapping);
    }
    ErrorPage errorPage = new ErrorPage();
    errorPage.setErrorCode(500);
    errorPage.setLocation(SampleServlets.ERROR_PAGE);
    context.addErrorPage(errorPage);
    tomcat.start();
    SampleServlets.announce("Tomcat 11, jakarta", tomcat.getConnector().getLocalPort());
    tomcat.getServer().await();
  }
}
