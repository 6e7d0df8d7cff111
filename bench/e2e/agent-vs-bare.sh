#!/usr/bin/env bash
# End-to-end cost of the agent (issue 15): one application under `wrk -t1`, bare against the agent
# with one rule on the requested path whose limit is never reached (every request decided, counted,
# given X-RateLimit-* headers). Rounds alternate the order (bare first, then agent first, ...); each
# run warms up, then measures. Then one more agent run records JFR execution samples during the
# measured load and prints which share of the samples has an agent frame on its stack, and the
# agent methods most often innermost.
#
# Applications:
#   hello        the Tomcat 10.1 distribution's `examples` webapp, GET its HelloWorld servlet
#   filters      the same Tomcat, a webapp made here: ten plain filters mapped to /*, each passing
#                the request on, in front of one servlet (GET /chain/hello through ten filters)
#   spring-boot  samples/spring-boot (Spring Boot 3.5 with Spring Security, a dozen filters),
#                GET /api/public/x1
#
# Usage (from the repository root, after `mvn -B -q package -DskipTests -pl agent,samples/spring-boot -am`):
#   bash bench/e2e/agent-vs-bare.sh [hello|filters|spring-boot] [rounds, default 4] [seconds, default 8] [warm-up s, default 10] [connections, default 16]
# Environment: RULE=/other/** puts the rule elsewhere (the agent attached, no rule on the path);
# HEADERS=false turns the X-RateLimit-* headers off (headers.enabled: false).
# JFR_OUT=file.jfr keeps the JFR recording (for `jfr print`, or `jfr summary`) after the run.
# PIN=1 runs the server on CPU 0 and wrk on CPU 1 (taskset): the server's throughput on one core of
# its own, rather than on two cores it shares with wrk, whose own work (parsing the three headers'
# bytes too) then no longer counts against it. The JVM then sees one CPU (serial GC, fewer JIT
# threads), so its figures are not comparable with unpinned ones. Each run also prints the server's
# CPU time per request (user + system of the whole process over the measured run).
# The Tomcat zip comes from the local Maven repository (the newest 10.1.x there):
#   mvn -B -q dependency:get -Dartifact=org.apache.tomcat:tomcat:10.1.59:zip -Dtransitive=false
set -euo pipefail
app=${1:-hello}
rounds=${2:-4}
seconds=${3:-8}
warmup=${4:-10}
connections=${5:-16}
root=$(cd "$(dirname "$0")/../.." && pwd)
agent=$root/agent/target/fastlimit-agent.jar
command -v wrk > /dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 2; }
[ -f "$agent" ] || { echo "build first: mvn -B -q package -DskipTests -pl agent -am" >&2; exit 2; }
work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2> /dev/null; rm -rf "$work"' EXIT
server_cpu= client_cpu=
if [ "${PIN:-}" = 1 ]; then server_cpu="taskset -c 0" client_cpu="taskset -c 1"; fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

# --- the application: sets `target`, `rule` and `start_app` (java options as arguments) ---------

tomcat_unpacked() {
  local zip
  zip=$(ls -1 "$HOME"/.m2/repository/org/apache/tomcat/tomcat/10.1.*/tomcat-10.1.*.zip 2> /dev/null | sort -V | tail -1)
  [ -n "$zip" ] || { echo "no Tomcat 10.1 zip in ~/.m2 (see the usage lines)" >&2; exit 2; }
  unzip -q "$zip" -d "$work"
  tomcat=$(ls -d "$work"/apache-tomcat-*)
  chmod +x "$tomcat"/bin/*.sh
  sed -i -e "s/port=\"8080\"/port=\"$port\"/" -e 's/port="8005"/port="-1"/' "$tomcat/conf/server.xml"
  version=$(basename "$tomcat")
}

# Ten filters that do what a typical one does on the way through (read a header, set an attribute)
# and pass the request on, then a servlet that writes a short body. Compiled here against the
# distribution's own servlet API, so nothing of it is committed as a binary.
ten_filter_webapp() {
  local webapp=$tomcat/webapps/chain src=$work/chain-src
  mkdir -p "$webapp/WEB-INF/classes" "$src/chain"
  local filters=""
  for i in $(seq 1 10); do
    cat > "$src/chain/Filter$i.java" << JAVA
package chain;
public final class Filter$i implements jakarta.servlet.Filter {
  @Override
  public void doFilter(jakarta.servlet.ServletRequest request, jakarta.servlet.ServletResponse response,
      jakarta.servlet.FilterChain chain) throws java.io.IOException, jakarta.servlet.ServletException {
    jakarta.servlet.http.HttpServletRequest http = (jakarta.servlet.http.HttpServletRequest) request;
    request.setAttribute("chain.filter$i", http.getHeader("User-Agent"));
    chain.doFilter(request, response);
  }
}
JAVA
    filters+="<filter><filter-name>f$i</filter-name><filter-class>chain.Filter$i</filter-class></filter>"
    filters+="<filter-mapping><filter-name>f$i</filter-name><url-pattern>/*</url-pattern></filter-mapping>"
  done
  cat > "$src/chain/Hello.java" << 'JAVA'
package chain;
public final class Hello extends jakarta.servlet.http.HttpServlet {
  @Override
  protected void doGet(jakarta.servlet.http.HttpServletRequest request,
      jakarta.servlet.http.HttpServletResponse response) throws java.io.IOException {
    response.setContentType("text/plain");
    response.getWriter().write("hello through " + request.getAttributeNames().hasMoreElements());
  }
}
JAVA
  javac -d "$webapp/WEB-INF/classes" -cp "$tomcat/lib/servlet-api.jar" "$src"/chain/*.java
  cat > "$webapp/WEB-INF/web.xml" << XML
<?xml version="1.0" encoding="UTF-8"?>
<web-app xmlns="https://jakarta.ee/xml/ns/jakartaee" version="6.0">
$filters
<servlet><servlet-name>hello</servlet-name><servlet-class>chain.Hello</servlet-class></servlet>
<servlet-mapping><servlet-name>hello</servlet-name><url-pattern>/hello</url-pattern></servlet-mapping>
</web-app>
XML
}

start_tomcat() {
  CATALINA_OPTS="$*" $server_cpu "$tomcat/bin/catalina.sh" run > "$work/app.log" 2>&1 &
  pid=$!
}

start_spring_boot() {
  $server_cpu java "$@" -jar "$jar" "$port" > "$work/app.log" 2>&1 &
  pid=$!
}

case $app in
  hello)
    tomcat_unpacked
    target=/examples/servlets/servlet/HelloWorldExample
    rule=/examples/servlets/servlet/**
    start_app=start_tomcat
    ;;
  filters)
    tomcat_unpacked
    ten_filter_webapp
    target=/chain/hello
    rule=/chain/**
    start_app=start_tomcat
    ;;
  spring-boot)
    jar=$root/samples/spring-boot/target/sample-spring-boot.jar
    [ -f "$jar" ] || { echo "build first: mvn -B -q package -DskipTests -pl agent,samples/spring-boot -am" >&2; exit 2; }
    version="Spring Boot sample"
    target=/api/public/x1
    rule=/api/public/**
    start_app=start_spring_boot
    ;;
  *)
    echo "unknown application '$app': hello, filters or spring-boot" >&2
    exit 2
    ;;
esac
url=http://127.0.0.1:$port$target
rule=${RULE:-$rule}
cat > "$work/limited.yaml" << YAML
headers:
  enabled: ${HEADERS:-true}
rules:
  - path: $rule
    limit: 999999999999/min
YAML

# --- the comparison ------------------------------------------------------------------------------

start() { # java options
  "$start_app" "$@"
  for _ in $(seq 1200); do
    curl -s -o /dev/null -f "$url" && return 0
    sleep 0.1
  done
  echo "the application did not answer; its log:" >&2
  tail -20 "$work/app.log" >&2
  exit 1
}

stop() {
  kill "$pid"
  wait "$pid" 2> /dev/null || true
  pid=
}

# the server's CPU time so far (user + system, every thread: GC and JIT too), in clock ticks
server_ticks() {
  awk '{print $14 + $15}' "/proc/$pid/stat"
}

measure() { # $1 = label; prints one line
  $client_cpu wrk -t1 -c"$connections" -d"${warmup}s" "$url" > /dev/null
  local out before after
  before=$(server_ticks)
  out=$($client_cpu wrk -t1 -c"$connections" -d"${seconds}s" --latency "$url")
  after=$(server_ticks)
  local headers
  headers=$(curl -s -D - -o /dev/null "$url" | tr -d '\r' \
    | awk 'NR == 1 {printf "%s", $2} /^X-RateLimit-Limit/ {printf " limit=%s", $2}')
  # the server's CPU per request (every thread of it, GC and JIT too) beside its throughput: the
  # agent's cost as work done, where a server that waits on wrk for part of the time hides it
  printf '%-6s %10s req/s   p99 %8s   %7.1f us CPU/req   (%s)\n' "$1" \
    "$(awk '/Requests\/sec/ {print $2}' <<< "$out")" "$(awk '$1 == "99%" {print $2}' <<< "$out")" \
    "$(awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" '/requests in/ {print t / hz * 1e6 / $1}' <<< "$out")" \
    "$headers"
}

echo "$version, GET $target (rule $rule, headers ${HEADERS:-true}, pinned ${PIN:-0}), wrk -t1 -c$connections, ${warmup}s warm-up + ${seconds}s, $(nproc) cores, $(java -version 2>&1 | head -1)"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq "$rounds"); do
  if [ $((round % 2)) -eq 1 ]; then order="bare agent"; else order="agent bare"; fi
  for which in $order; do
    if [ "$which" = bare ]; then start; else start "-javaagent:$agent=$work/limited.yaml"; fi
    measure "$which"
    stop
  done
done | tee "$work/rounds.txt"
awk '$1 == "bare" {bare += $2; bareCpu += $6; b++} $1 == "agent" {agent += $2; agentCpu += $6; a++}
  END {if (bare) printf "all rounds: bare %.0f, agent %.0f req/s; agent / bare %.3f; CPU per request bare %.1f, agent %.1f us: bare / agent %.3f\n", bare, agent, agent / bare, bareCpu / b, agentCpu / a, (bareCpu / b) / (agentCpu / a)}' "$work/rounds.txt"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"

# Where an agent request's CPU goes: JFR execution samples (every millisecond per thread in Java
# code: the `profile` settings with a shorter period) over one measured run. A sample counts for
# the agent when a frame of its own packages is on the stack; it is listed by its innermost frame
# (the agent's or what the agent called: the container's attribute map, its header list ...) and by
# the agent's outermost frame (which entry point paid for it).
java_home=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
sed 's#<setting name="period" control="method-sampling-java-interval">[^<]*</setting>#<setting name="period" control="method-sampling-java-interval">1 ms</setting>#' \
  "$java_home/lib/jfr/profile.jfc" > "$work/profile.jfc"
start "-javaagent:$agent=$work/limited.yaml"
$client_cpu wrk -t1 -c"$connections" -d"${warmup}s" "$url" > /dev/null
jcmd "$pid" JFR.start name=e2e settings="$work/profile.jfc" filename="$work/e2e.jfr" > /dev/null
$client_cpu wrk -t1 -c"$connections" -d"${seconds}s" "$url" > /dev/null
jcmd "$pid" JFR.stop name=e2e > /dev/null
stop
if [ -n "${JFR_OUT:-}" ]; then cp "$work/e2e.jfr" "$JFR_OUT"; fi
jfr print --events jdk.ExecutionSample --stack-depth 200 "$work/e2e.jfr" | awk '
  /^jdk.ExecutionSample/ { if (n++) tally(); agent = 0; leaf = ""; outer = ""; stack = 0; next }
  /stackTrace = \[/ { stack = 1; next }
  stack && /^[[:space:]]*\]/ { stack = 0; next }
  stack {
    frame = $0; sub(/^[ \t]+/, "", frame); sub(/[ \t]+line:.*/, "", frame)
    if (leaf == "") leaf = frame
    if (frame ~ /^io\.fastlimit\.(agent|bootstrap)\./) { agent = 1; outer = frame }
  }
  function tally() { total++; if (agent) { withAgent++; byLeaf[leaf]++; byOuter[outer]++ } }
  END {
    if (n) tally()
    printf "JFR: %d execution samples, %d (%.1f%%) with an agent frame on the stack\n", total, withAgent, 100 * withAgent / (total ? total : 1)
    print "innermost frame:"
    for (m in byLeaf) printf "%6d  %s\n", byLeaf[m], m | "sort -rn | head -15"
    close("sort -rn | head -15")
    print "the agent\x27s outermost frame:"
    for (m in byOuter) printf "%6d  %s\n", byOuter[m], m | "sort -rn | head -5"
  }'
