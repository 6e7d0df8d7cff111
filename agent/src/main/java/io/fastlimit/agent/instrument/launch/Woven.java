package io.fastlimit.agent.instrument.launch;

/**
 * What the launch weave made of a class: its woven class file, nothing to do (no entry point the
 * agent instruments, decided for sure), or doubtful (for Byte Buddy to decide, as before the
 * weave).
 */
public final class Woven {

  /** The class declares no entry point the agent instruments: it is left as it is. */
  public static final Woven NOTHING = new Woven(null);

  /** The weave could not decide for sure: Byte Buddy decides. */
  public static final Woven DOUBTFUL = new Woven(null);

  private final byte[] classFile;

  private Woven(byte[] classFile) {
    this.classFile = classFile;
  }

  static Woven to(byte[] classFile) {
    return new Woven(classFile);
  }

  /** The woven class file; null for {@link #NOTHING} and {@link #DOUBTFUL}. */
  public byte[] classFile() {
    return classFile;
  }
}
