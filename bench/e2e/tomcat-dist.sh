#!/usr/bin/env bash
# End-to-end cost of the agent on the Tomcat 10.1 distribution (issue 15): the HelloWorld servlet of
# the shipped `examples` webapp under `wrk -t1`, bare against the agent with one rule on that path
# whose limit is never reached (every request decided, counted, given X-RateLimit-* headers).
# Rounds alternate the order (bare first, then agent first, ...); each run warms up, then measures.
# Then one more agent run records JFR execution samples during the measured load and prints which
# share of the samples has an agent frame on its stack, and the agent methods most often innermost.
# Usage (from the repository root, after `mvn -B -q package -DskipTests -pl agent -am`):
#   bash bench/e2e/tomcat-dist.sh [rounds, default 4] [seconds, default 8] [warm-up s, default 10] [connections, default 16]
# The Tomcat zip comes from the local Maven repository (the newest 10.1.x there):
#   mvn -B -q dependency:get -Dartifact=org.apache.tomcat:tomcat:10.1.59:zip -Dtransitive=false
set -euo pipefail
rounds=${1:-4}
seconds=${2:-8}
warmup=${3:-10}
connections=${4:-16}
root=$(cd "$(dirname "$0")/../.." && pwd)
agent=$root/agent/target/fastlimit-agent.jar
zip=$(ls -1 "$HOME"/.m2/repository/org/apache/tomcat/tomcat/10.1.*/tomcat-10.1.*.zip 2> /dev/null | sort -V | tail -1)
command -v wrk > /dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 2; }
[ -f "$agent" ] || { echo "build first: mvn -B -q package -DskipTests -pl agent -am" >&2; exit 2; }
[ -n "$zip" ] || { echo "no Tomcat 10.1 zip in ~/.m2 (see the usage lines)" >&2; exit 2; }
work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2> /dev/null; rm -rf "$work"' EXIT

unzip -q "$zip" -d "$work"
tomcat=$(ls -d "$work"/apache-tomcat-*)
chmod +x "$tomcat"/bin/*.sh
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
sed -i -e "s/port=\"8080\"/port=\"$port\"/" -e 's/port="8005"/port="-1"/' "$tomcat/conf/server.xml"
target=/examples/servlets/servlet/HelloWorldExample
url=http://127.0.0.1:$port$target
cat > "$work/limited.yaml" << 'YAML'
rules:
  - path: /examples/servlets/servlet/**
    limit: 999999999999/min
YAML

start() { # java options for CATALINA_OPTS
  CATALINA_OPTS="$*" "$tomcat/bin/catalina.sh" run > "$work/catalina.log" 2>&1 &
  pid=$!
  for _ in $(seq 1200); do
    curl -s -o /dev/null -f "$url" && return 0
    sleep 0.1
  done
  echo "Tomcat did not answer; its log:" >&2
  tail -20 "$work/catalina.log" >&2
  exit 1
}

stop() {
  kill "$pid"
  wait "$pid" 2> /dev/null || true
  pid=
}

measure() { # $1 = label; prints one line
  wrk -t1 -c"$connections" -d"${warmup}s" "$url" > /dev/null
  local out
  out=$(wrk -t1 -c"$connections" -d"${seconds}s" --latency "$url")
  local headers
  headers=$(curl -s -D - -o /dev/null "$url" | tr -d '\r' \
    | awk 'NR == 1 {printf "%s", $2} /^X-RateLimit-Limit/ {printf " limit=%s", $2}')
  printf '%-6s %10s req/s   p99 %8s   (%s)\n' "$1" \
    "$(awk '/Requests\/sec/ {print $2}' <<< "$out")" "$(awk '$1 == "99%" {print $2}' <<< "$out")" "$headers"
}

echo "Tomcat $(basename "$tomcat"), GET $target, wrk -t1 -c$connections, ${warmup}s warm-up + ${seconds}s, $(nproc) cores, $(java -version 2>&1 | head -1)"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq "$rounds"); do
  if [ $((round % 2)) -eq 1 ]; then order="bare agent"; else order="agent bare"; fi
  for which in $order; do
    if [ "$which" = bare ]; then start; else start "-javaagent:$agent=$work/limited.yaml"; fi
    measure "$which"
    stop
  done
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"

# Where an agent request's CPU goes: JFR execution samples over one measured run.
start "-javaagent:$agent=$work/limited.yaml"
wrk -t1 -c"$connections" -d"${warmup}s" "$url" > /dev/null
jcmd "$pid" JFR.start name=e2e settings=profile filename="$work/e2e.jfr" > /dev/null
wrk -t1 -c"$connections" -d"${seconds}s" "$url" > /dev/null
jcmd "$pid" JFR.stop name=e2e > /dev/null
stop
jfr print --events jdk.ExecutionSample --stack-depth 128 "$work/e2e.jfr" | awk '
  /^jdk.ExecutionSample/ { if (n++) tally(); agent = 0; inner = ""; stack = 0; next }
  /stackTrace = \[/ { stack = 1; next }
  stack && /^[[:space:]]*\]/ { stack = 0; next }
  stack && /io\.fastlimit\./ {
    agent = 1
    if (inner == "") { inner = $0; sub(/^[ \t]+/, "", inner); sub(/[ \t]+line:.*/, "", inner) }
  }
  function tally() { total++; if (agent) { withAgent++; where[inner]++ } }
  END {
    if (n) tally()
    printf "JFR: %d execution samples, %d (%.1f%%) with an agent frame on the stack\n", total, withAgent, 100 * withAgent / (total ? total : 1)
    for (m in where) printf "%6d  %s\n", where[m], m | "sort -rn | head -12"
  }'
