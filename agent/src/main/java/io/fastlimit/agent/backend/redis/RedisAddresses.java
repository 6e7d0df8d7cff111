package io.fastlimit.agent.backend.redis;

import io.fastlimit.agent.config.RedisConfig;
import io.fastlimit.agent.observe.AgentLog;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SslOptions;
import java.io.File;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the agent's Redis is and how to reach it securely: the {@code redis-url}s as Lettuce URIs
 * and the TLS options of {@code rediss://} connections. Never puts a password in an error.
 */
final class RedisAddresses {

  private RedisAddresses() {}

  /** The settings' URIs, parsed; peer verification as {@code redis.tls.verify-peer} says. */
  static List<RedisURI> uris(RedisConfig settings) {
    List<RedisURI> uris = new ArrayList<>();
    for (String text : settings.uris()) {
      try {
        RedisURI parsed = RedisURI.create(text);
        if (parsed.isSsl()) {
          parsed.setVerifyPeer(settings.tls().verifyPeer());
        }
        uris.add(parsed);
      } catch (RuntimeException e) {
        // the cause's message would repeat the URI with its password
        throw new IllegalArgumentException(
            "invalid redis-url " + RedisConfig.mask(text) + ": " + e.getClass().getSimpleName());
      }
    }
    return uris;
  }

  /**
   * The TLS settings of {@code rediss://} connections: the CA file to trust (else the JDK's CAs)
   * and the client certificate to present, if any.
   */
  static SslOptions sslOptions(RedisConfig.Tls tls) {
    SslOptions.Builder ssl = SslOptions.builder().jdkSslProvider();
    if (tls.caFile() != null) {
      ssl.trustManager(new File(tls.caFile()));
    }
    if (tls.certFile() != null && tls.keyFile() != null) {
      ssl.keyManager(new File(tls.certFile()), new File(tls.keyFile()), null);
    }
    if (!tls.verifyPeer()) {
      AgentLog.warn(
          "redis.tls.verify-peer is false: the Redis server's certificate is not checked, so"
              + " anyone between this JVM and Redis can read and change the counters; trust its"
              + " CA with redis.tls.ca-file instead");
    }
    return ssl.build();
  }
}
