#!/bin/bash
# The agent's own start, two agent jars side by side: CPU (user + system, from /proc) and classes
# loaded by a JVM that loads javax's and jakarta's HttpServlet (both instrumented) and exits.
# usage: bench/probe/probe-ab.sh before.jar after.jar [rounds]   (from the repository root)
set -e
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d)
M2=${M2:-$HOME/.m2/repository}
CP=$WORK:$M2/javax/servlet/javax.servlet-api/4.0.1/javax.servlet-api-4.0.1.jar:$M2/jakarta/servlet/jakarta.servlet-api/6.0.0/jakarta.servlet-api-6.0.0.jar
javac -d "$WORK" "$HERE/Probe.java"
printf 'rules:\n  - path: /hello\n    limit: 1000/min\n' > "$WORK/rules.yaml"
run() { java ${2:+-javaagent:$2=$WORK/rules.yaml} -cp "$CP" Probe 2>/dev/null | tail -1; }
for i in $(seq "${3:-5}"); do
  # the order swapped every round
  if [ $((i % 2)) = 1 ]; then first=$1; second=$2; else first=$2; second=$1; fi
  echo "$(basename "$first") $(run x "$first") load=$(cut -d' ' -f1 /proc/loadavg)"
  echo "$(basename "$second") $(run x "$second") load=$(cut -d' ' -f1 /proc/loadavg)"
  echo "bare $(run x)"
done
