import java.nio.file.Paths;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;

/**
 * An agent to list before fastlimit's: a JFR recording named "early" from before fastlimit's
 * premain (-XX:StartFlightRecording starts after every premain). Give it a .jfc with
 * jdk.ObjectAllocationInNewTLAB and jdk.ObjectAllocationOutsideTLAB enabled, then read the dump
 * with AllocationByCaller.
 *
 * <pre>
 * javac -d /tmp/jf bench/probe/JfrFromFirstLine.java
 * printf 'Premain-Class: JfrFromFirstLine\n' > /tmp/jf/m.txt
 * jar cfm /tmp/jfrfirst.jar /tmp/jf/m.txt -C /tmp/jf JfrFromFirstLine.class
 * java -javaagent:/tmp/jfrfirst.jar=alloc.jfc -XX:FlightRecorderOptions:stackdepth=256 \
 *      -javaagent:fastlimit-agent.jar=rules.yaml ...
 * jcmd PID JFR.dump name=early filename=start.jfr
 * </pre>
 */
public class JfrFromFirstLine {
  public static void premain(String settings) throws Exception {
    Recording recording = new Recording(Configuration.create(Paths.get(settings)));
    recording.setName("early");
    recording.start();
  }
}
