package io.fastlimit.agent.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class BackendsTest {

  /** Found through META-INF/services in the test resources. */
  public static final class RecordingProvider implements BackendProvider {
    static volatile BackendContext lastContext;

    @Override
    public String name() {
      return "recording";
    }

    @Override
    public Backend create(BackendContext context) {
      lastContext = context;
      return new MemoryBackend(() -> 0L, context.memoryMaxKeys());
    }
  }

  /** Named by class, with a public no-argument constructor. */
  public static final class NamedBackend implements Backend {
    @Override
    public Outcome[] acquire(Charge[] charges) {
      return new Outcome[charges.length];
    }
  }

  @Test
  void memoryIsBuiltIn() throws Exception {
    assertThat(Backends.create("memory", new BackendContext(Map.of(), 1000, null)))
        .isInstanceOf(MemoryBackend.class);
  }

  @Test
  void providerIsFoundByNameThroughServiceLoaderAndGetsTheOptions() throws Exception {
    Backend backend =
        Backends.create("recording", new BackendContext(Map.of("servers", "a,b"), 5000, null));
    assertThat(backend).isInstanceOf(MemoryBackend.class);
    assertThat(RecordingProvider.lastContext.options()).containsEntry("servers", "a,b");
    assertThat(RecordingProvider.lastContext.memoryMaxKeys()).isEqualTo(5000);
  }

  @Test
  void backendOrProviderIsFoundByClassName() throws Exception {
    assertThat(
            Backends.create(NamedBackend.class.getName(), new BackendContext(Map.of(), 1000, null)))
        .isInstanceOf(NamedBackend.class);
    assertThat(
            Backends.create(
                RecordingProvider.class.getName(), new BackendContext(Map.of(), 1000, null)))
        .isInstanceOf(MemoryBackend.class);
  }

  @Test
  void unknownBackendSaysWhatWasTried() {
    assertThatThrownBy(() -> Backends.create("nosuch", new BackendContext(Map.of(), 1000, null)))
        .hasMessageContaining("no backend 'nosuch'")
        .hasMessageContaining("META-INF/services/io.fastlimit.agent.backend.BackendProvider");
    assertThatThrownBy(
            () -> Backends.create("java.lang.String", new BackendContext(Map.of(), 1000, null)))
        .hasMessageContaining("is neither a");
  }
}
