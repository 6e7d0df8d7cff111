#!/bin/bash
# What `attach` costs, in CPU: a JVM that has loaded Tomcat's classes (tomcat-embed-core, ~1,500
# classes, as a server has before the agent comes), then `java -jar agent.jar attach`; prints the
# command's CPU (its JVM, waited-for children included), its wall time (command to agent running
# in the target: loadAgent returns once agentmain did) and what the target spent until it ran.
# usage: [CMD_OPTS='-XX:TieredStopAtLevel=1'] bench/probe/attach-cpu.sh agent.jar   (from the repository root)
set -e
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d)
TC=${TC:-$HOME/.m2/repository/org/apache/tomcat/embed/tomcat-embed-core/10.1.48/tomcat-embed-core-10.1.48.jar}
javac -d "$WORK" "$HERE/Target.java"
printf 'rules:\n  - path: /hello\n    limit: 1000/min\n' > "$WORK/rules.yaml"
java -cp "$WORK:$TC" Target "$TC" > "$WORK/target.out" 2>&1 &
PID=$!
while ! grep -q loaded "$WORK/target.out"; do sleep 0.2; done
ticks() { awk '{print ($14+$15)*10}' /proc/$1/stat; }
before=$(ticks $PID)
/usr/bin/time -f "command_cpu_s=%U+%S command_wall_s=%e" java $CMD_OPTS -jar "$1" attach $PID "$WORK/rules.yaml" > /dev/null 2> "$WORK/cmd.err"
sleep 1
echo "$(basename "$1") $(grep loaded "$WORK/target.out") $(tail -1 "$WORK/cmd.err") target_cpu_ms=$(( $(ticks $PID) - before )) load=$(cut -d' ' -f1 /proc/loadavg)"
kill $PID
