#!/usr/bin/env bash
# End-to-end cost of the agent on a real container: a sample app served by wrk on this machine,
# three ways, alternated twice:
#   none       no agent
#   unmatched  agent attached, no rule covers the path (the cost every unlimited request pays)
#   limited    agent attached, a rule covers the path with a limit never reached (every request
#              is decided, counted and gets X-RateLimit-* headers)
# Samples: tomcat (embedded Tomcat 11, one servlet, GET /api/hello) or spring-boot (Spring Boot
# 3.5 with Spring Security, a dozen filters, GET /api/public/x1).
# Usage (from the repository root, after building the agent and the sample):
#   bash bench/e2e/wrk.sh [seconds per run, default 10] [connections, default 16] [tomcat|spring-boot]
set -euo pipefail
seconds=${1:-10}
connections=${2:-16}
sample=${3:-tomcat}
root=$(cd "$(dirname "$0")/../.." && pwd)
case $sample in
  tomcat)
    app=$root/samples/tomcat-jakarta/target/sample-tomcat-jakarta.jar
    module=samples/tomcat-jakarta
    target=/api/hello
    ;;
  spring-boot)
    app=$root/samples/spring-boot/target/sample-spring-boot.jar
    module=samples/spring-boot
    target=/api/public/x1
    ;;
  *)
    echo "unknown sample '$sample': tomcat or spring-boot" >&2
    exit 2
    ;;
esac
agent=$root/agent/target/fastlimit-agent.jar
command -v wrk > /dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 2; }
[ -f "$app" ] && [ -f "$agent" ] || {
  echo "build first: mvn -B -q package -DskipTests -pl agent,$module -am" >&2
  exit 2
}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2> /dev/null || true; rm -rf "$work"' EXIT
cat > "$work/unmatched.yaml" <<'YAML'
rules:
  - path: /other/**
    limit: 5/min
YAML
cat > "$work/limited.yaml" <<'YAML'
rules:
  - path: /api/**
    limit: 999999999999/min
YAML
port=18080

run() { # $1 = label, $2.. = java options
  local label=$1
  shift
  java "$@" -jar "$app" $port > "$work/$label.log" 2>&1 &
  local pid=$!
  for _ in $(seq 300); do
    curl -s -o /dev/null "http://127.0.0.1:$port$target" && break
    sleep 0.1
  done
  # warm up the JIT, then measure
  wrk -t1 -c"$connections" -d5s "http://127.0.0.1:$port$target" > /dev/null
  local rps
  rps=$(wrk -t1 -c"$connections" -d"${seconds}s" --latency "http://127.0.0.1:$port$target" \
    | tee "$work/$label.wrk" | awk '/Requests\/sec/ {print $2}')
  local p99
  p99=$(awk '$1 == "99%" {print $2}' "$work/$label.wrk")
  local statuses
  statuses=$(curl -s -D - -o /dev/null "http://127.0.0.1:$port$target" | tr -d '\r' \
    | awk 'NR == 1 {printf "%s", $2} /^X-RateLimit-Remaining/ {printf " remaining=%s", $2}')
  printf '%-10s %10s req/s   p99 %8s   (%s)\n' "$label" "$rps" "$p99" "$statuses"
  kill "$pid"
  wait "$pid" 2> /dev/null || true
}

echo "$sample: wrk -t1 -c$connections -d${seconds}s, GET $target, $(nproc) cores, $(java -version 2>&1 | head -1)"
for round in 1 2; do
  run none
  run unmatched "-javaagent:$agent=$work/unmatched.yaml"
  run limited "-javaagent:$agent=$work/limited.yaml"
done
