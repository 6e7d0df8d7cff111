package io.fastlimit.it;

import java.io.OutputStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * A WAR of one login servlet ({@code POST /account/login}, context {@code account}) for a
 * jetty-home distribution of 9.4, 10 or 11, compiled here against the distribution's own servlet
 * API jar: it sets UTF-8 itself before reading {@code j_username} and {@code j_password}, answers
 * 200 "welcome NAME" for the password {@code secret} and 401 "wrong password for NAME" otherwise,
 * as the sample applications' login servlet does for {@link FormWithoutCharsetContract}.
 */
final class JettyLoginServletWar {

  static final String CONTEXT = "account";

  private static final String SERVLET =
      """
      package fastlimit.login;

      import java.io.IOException;
      import %1$s.servlet.http.HttpServlet;
      import %1$s.servlet.http.HttpServletRequest;
      import %1$s.servlet.http.HttpServletResponse;

      public class AccountLogin extends HttpServlet {
        @Override
        protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
          req.setCharacterEncoding("UTF-8");
          String user = req.getParameter("j_username");
          boolean ok = "secret".equals(req.getParameter("j_password"));
          resp.setStatus(ok ? 200 : 401);
          resp.setContentType("text/plain;charset=UTF-8");
          resp.getWriter().print(ok ? "welcome " + user : "wrong password for " + user);
        }
      }
      """;

  private JettyLoginServletWar() {}

  /** Starts the distribution ("jetty94", "jetty10", "jetty11") with the WAR and the agent. */
  static ChildApp start(String distribution, boolean jakarta, String rulesYaml) throws Exception {
    Path home = Build.distribution(distribution);
    String name = distribution + "-login-servlet";
    return StandaloneJetty.start(
        Build.javaHome(),
        home,
        name,
        List.of("server", "http", "deploy"),
        List.of(new StandaloneJetty.War(war(name, jakarta, home), CONTEXT, null)),
        rulesYaml);
  }

  private static Path war(String name, boolean jakarta, Path home) throws Exception {
    Path work = Build.workDirectory("login-servlet-war-" + name);
    Path source = work.resolve("src/fastlimit/login/AccountLogin.java");
    Files.createDirectories(source.getParent());
    Files.writeString(source, SERVLET.formatted(jakarta ? "jakarta" : "javax"));
    Path classes = Files.createDirectories(work.resolve("classes"));
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    StringWriter errors = new StringWriter();
    boolean compiled =
        javac
            .getTask(
                errors,
                null,
                null,
                List.of(
                    "--release",
                    "11",
                    "-cp",
                    servletApi(home).toString(),
                    "-d",
                    classes.toString()),
                null,
                javac.getStandardFileManager(null, null, null).getJavaFileObjects(source))
            .call();
    if (!compiled) {
      throw new IllegalStateException("the login servlet does not compile: " + errors);
    }
    String namespace =
        jakarta ? "https://jakarta.ee/xml/ns/jakartaee" : "http://xmlns.jcp.org/xml/ns/javaee";
    String webXml =
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <web-app xmlns="%s" version="%s">
          <servlet>
            <servlet-name>login</servlet-name>
            <servlet-class>fastlimit.login.AccountLogin</servlet-class>
          </servlet>
          <servlet-mapping>
            <servlet-name>login</servlet-name>
            <url-pattern>/login</url-pattern>
          </servlet-mapping>
        </web-app>
        """
            .formatted(namespace, jakarta ? "5.0" : "3.1");
    Path war = work.resolve(CONTEXT + ".war");
    try (OutputStream file = Files.newOutputStream(war);
        ZipOutputStream zip = new ZipOutputStream(file)) {
      zip.putNextEntry(new ZipEntry("WEB-INF/web.xml"));
      zip.write(webXml.getBytes(StandardCharsets.UTF_8));
      zip.closeEntry();
      zip.putNextEntry(new ZipEntry("WEB-INF/classes/fastlimit/login/AccountLogin.class"));
      zip.write(Files.readAllBytes(classes.resolve("fastlimit/login/AccountLogin.class")));
      zip.closeEntry();
      // what AppServers.awaitContexts asks for to know the WAR is deployed: a static file
      zip.putNextEntry(new ZipEntry("stats"));
      zip.write("{}".getBytes(StandardCharsets.UTF_8));
      zip.closeEntry();
    }
    return war;
  }

  /**
   * The distribution's servlet API jar: lib/servlet-api-3.1.jar (9.4), jetty-servlet-api (10, 11).
   */
  private static Path servletApi(Path home) throws Exception {
    try (DirectoryStream<Path> jars =
        Files.newDirectoryStream(home.resolve("lib"), "*servlet-api-*.jar")) {
      for (Path jar : jars) {
        return jar;
      }
    }
    throw new IllegalStateException("no servlet API jar in " + home.resolve("lib"));
  }
}
