package io.fastlimit.it;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * A WAR with nothing but container-managed BASIC authentication ({@code /secure/*}, role admin,
 * realm "fastlimit"), and the realm a jetty.base of Jetty 9.4 to 11 needs for it: a
 * HashLoginService bean on the server (etc/fastlimit-realm.xml, listed in start.d) whose only user
 * is {@code admin} with the password {@link #PASSWORD}. A signed-in request finds no resource
 * (404): the authenticator is what the tests exercise.
 */
final class JettyBasicLoginWar {

  static final String CONTEXT = "login-war";
  static final String PASSWORD = "right-one";

  private JettyBasicLoginWar() {}

  /** The WAR, with a web.xml of the javax (9.4, 10) or jakarta (11) namespace. */
  static Path war(String name, boolean jakarta) throws Exception {
    String namespace =
        jakarta ? "https://jakarta.ee/xml/ns/jakartaee" : "http://xmlns.jcp.org/xml/ns/javaee";
    String webXml =
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <web-app xmlns="%s" version="%s">
          <security-constraint>
            <web-resource-collection>
              <web-resource-name>secure</web-resource-name>
              <url-pattern>/secure/*</url-pattern>
            </web-resource-collection>
            <auth-constraint><role-name>admin</role-name></auth-constraint>
          </security-constraint>
          <login-config>
            <auth-method>BASIC</auth-method>
            <realm-name>fastlimit</realm-name>
          </login-config>
          <security-role><role-name>admin</role-name></security-role>
        </web-app>
        """
            .formatted(namespace, jakarta ? "5.0" : "3.1");
    Path war = Build.workDirectory("login-war-" + name).resolve(CONTEXT + ".war");
    try (OutputStream file = Files.newOutputStream(war);
        ZipOutputStream zip = new ZipOutputStream(file)) {
      zip.putNextEntry(new ZipEntry("WEB-INF/web.xml"));
      zip.write(webXml.getBytes(StandardCharsets.UTF_8));
      zip.closeEntry();
      // what AppServers.awaitContexts asks for to know the WAR is deployed: a static file
      zip.putNextEntry(new ZipEntry("stats"));
      zip.write("{}".getBytes(StandardCharsets.UTF_8));
      zip.closeEntry();
    }
    return war;
  }

  /** Adds the realm to a jetty.base. */
  static void addRealm(Path base) throws Exception {
    Path etc = Files.createDirectories(base.resolve("etc"));
    Files.writeString(
        etc.resolve("fastlimit-realm.properties"),
        "admin: " + PASSWORD + ",admin\n",
        StandardCharsets.UTF_8);
    Files.writeString(
        etc.resolve("fastlimit-realm.xml"),
        """
        <?xml version="1.0"?>
        <!DOCTYPE Configure PUBLIC "-//Jetty//Configure//EN" "http://www.eclipse.org/jetty/configure_9_3.dtd">
        <Configure id="Server" class="org.eclipse.jetty.server.Server">
          <Call name="addBean">
            <Arg>
              <New class="org.eclipse.jetty.security.HashLoginService">
                <Set name="name">fastlimit</Set>
                <Set name="config">%s</Set>
              </New>
            </Arg>
          </Call>
        </Configure>
        """
            .formatted(etc.resolve("fastlimit-realm.properties")),
        StandardCharsets.UTF_8);
    Files.writeString(
        base.resolve("start.d/fastlimit-realm.ini"),
        "etc/fastlimit-realm.xml\n",
        StandardCharsets.UTF_8);
  }
}
