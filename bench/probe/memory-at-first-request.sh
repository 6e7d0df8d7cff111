#!/bin/bash
# What a JVM holds at its first served request, by Native Memory Tracking region (issue 13).
# Starts the app with -XX:NativeMemoryTracking=detail, polls the URL until it answers 2xx, then
# writes OUT.{rss,nmt,smaps,heap,histo,classes}: VmRSS, `jcmd VM.native_memory detail`,
# /proc/PID/smaps, GC.heap_info, GC.class_histogram (a full GC: live objects) and classes loaded.
# Compare two with rss_by_category.py (resident KiB of each NMT region, from smaps).
#
# usage: bench/probe/memory-at-first-request.sh OUT URL-PATH -- java options... (no port: PORT is
#        replaced by a free port in the options)
# e.g.   bench/probe/memory-at-first-request.sh /tmp/sb-bare /api/public/x1 -- -jar samples/spring-boot/target/sample-spring-boot.jar PORT
set -e
out=$1; path=$2; shift 3
port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
args=()
for a in "$@"; do args+=("${a//PORT/$port}"); done
java -XX:NativeMemoryTracking=detail "${args[@]}" > "$out.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
until curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port$path" | grep -q '^2'; do
  kill -0 $pid 2>/dev/null || { echo "the app exited, see $out.log" >&2; exit 1; }
  sleep 0.05
done
sleep "${PAUSE:-0}"   # e.g. PAUSE=1: let threads that poll (the agent's JMX registration) look
grep VmRSS /proc/$pid/status > "$out.rss"
jcmd $pid VM.native_memory detail > "$out.nmt"
cp /proc/$pid/smaps "$out.smaps"
jcmd $pid GC.heap_info > "$out.heap"
jcmd $pid PerfCounter.print | grep java.cls.loadedClasses > "$out.classes"
jcmd $pid GC.class_histogram > "$out.histo"
cat "$out.rss" "$out.classes"
