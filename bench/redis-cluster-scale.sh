#!/usr/bin/env bash
# Redis Cluster scale-out (issue 15): one-charge decisions (bucket.lua, EVALSHA) per second and per
# Redis CPU-second, from many clients, on a 1-master and a 3-master cluster started here side by
# side, measured in alternating rounds in one run.
#
#   bench/redis-cluster-scale.sh          # from the repository root; needs redis-server,
#                                         # redis-cli, redis-benchmark on the PATH
#   ROUNDS=5 REQUESTS=200000 CLIENTS=48 KEYS=1000000 ALGORITHM=2 bench/redis-cluster-scale.sh
#
# Load: redis-benchmark, CLIENTS connections, each call an EVALSHA of bucket.lua on one client's
# key. 1 master: the key fl:r:ip:{N}, N a client id drawn from KEYS (-r), the agent's key shape
# (the client id is the hash tag). 3 masters: redis-benchmark --cluster (which refuses a 1-node
# cluster) connects each client to one master and needs a literal {tag} in the key, replaced per
# call by the hash tag of a random slot of that master: fl:r:ip:{tag}:N. Either way the clients'
# keys spread over all 16384 slots, as the agent's do.
# Limits are far above what a run sends: every call is admitted and writes.
# Per round: decisions per second (redis-benchmark's requests per second), and the masters' CPU
# seconds (user + system, /proc/PID/stat, all threads) before and after: decisions per Redis
# CPU-second. The benchmark client's own CPU is printed too: on a small machine it competes with
# the servers for the same cores.
set -euo pipefail

ROUNDS=${ROUNDS:-3}
REQUESTS=${REQUESTS:-100000}
CLIENTS=${CLIENTS:-48}
KEYS=${KEYS:-1000000}
ALGORITHM=${ALGORITHM:-2}   # 0 sliding window, 1 fixed window, 2 token bucket, 3 sliding log
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SCRIPT=$ROOT/agent/src/main/resources/io/fastlimit/agent/backend/redis/bucket.lua
DIR=$(mktemp -d /tmp/redis-cluster-scale.XXXXXX)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2> /dev/null || true; done
  wait 2> /dev/null || true
  rm -rf "$DIR"
}
trap cleanup EXIT

# a free port p with p + 10000 (the cluster bus) free as well, so at most 55535
free_port() {
  python3 - << 'EOF'
import random, socket
while True:
    p = random.randint(20000, 55535)
    try:
        for q in (p, p + 10000):
            s = socket.socket()
            s.bind(("127.0.0.1", q))
            s.close()
        print(p)
        break
    except OSError:
        pass
EOF
}
# starts one cluster-enabled node; prints "port pid"
node() {
  local port
  port=$(free_port)
  mkdir -p "$DIR/$port"
  (cd "$DIR/$port" && exec redis-server --port "$port" --bind 127.0.0.1 --save "" \
    --appendonly no --daemonize no --cluster-enabled yes --cluster-config-file nodes.conf \
    --cluster-node-timeout 60000 > log 2>&1) &
  for _ in $(seq 100); do redis-cli -p "$port" ping > /dev/null 2>&1 && break; sleep 0.1; done
  echo "$port $!"
}
await_ok() {
  for _ in $(seq 200); do
    redis-cli -p "$1" cluster info | grep -q 'cluster_state:ok' && return 0
    sleep 0.1
  done
  echo "cluster on port $1 not ok" >&2
  exit 1
}

# 1 master: one node with every slot
read -r P1 PID1 <<< "$(node)"
PIDS+=("$PID1")
redis-cli -p "$P1" cluster addslotsrange 0 16383 > /dev/null
await_ok "$P1"
# 3 masters: three nodes, slots split by redis-cli
P3=() PID3=()
for _ in 1 2 3; do
  read -r p pid <<< "$(node)"
  P3+=("$p") PID3+=("$pid") PIDS+=("$pid")
done
redis-cli --cluster create "${P3[@]/#/127.0.0.1:}" --cluster-replicas 0 --cluster-yes > "$DIR/create.log"
for p in "${P3[@]}"; do await_ok "$p"; done

SHA=
for p in "$P1" "${P3[@]}"; do SHA=$(redis-cli -p "$p" script load "$(cat "$SCRIPT")"); done

# CPU seconds (user + system) of the given processes, from /proc/PID/stat
cpu() {
  local ticks=0 pid
  for pid in "$@"; do
    ticks=$((ticks + $(awk '{ print $14 + $15 }' "/proc/$pid/stat")))
  done
  echo "$ticks / $(getconf CLK_TCK)" | bc -l
}

declare -A RATE RCPU BCPU
run() { # name port key mode pids...
  local name=$1 port=$2 key=$3 mode=$4
  shift 4
  local before after out
  before=$(cpu "$@")
  out=$( { /usr/bin/time -f 'bench-cpu %U %S' redis-benchmark $mode -p "$port" -q \
    -n "$REQUESTS" -c "$CLIENTS" -r "$KEYS" \
    evalsha "$SHA" 1 "$key" "$ALGORITHM" 1000000000 60000; } 2>&1)
  after=$(cpu "$@")
  local rate bench
  rate=$(echo "$out" | tr '\r' '\n' | grep -o '[0-9.]* requests per second' | tail -1 | cut -d' ' -f1)
  bench=$(echo "$out" | awk '/^bench-cpu/ { print $2 + $3 }')
  RATE[$name]="${RATE[$name]:-} $rate"
  RCPU[$name]="${RCPU[$name]:-} $(echo "$after - $before" | bc -l)"
  BCPU[$name]="${BCPU[$name]:-} $bench"
}

echo "# $(date -u '+%F %T') UTC, $(redis-server --version | cut -d' ' -f3), $(nproc) cores," \
  "load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# $ROUNDS rounds x $REQUESTS decisions, $CLIENTS clients, $KEYS client ids, algorithm $ALGORITHM"
for ((round = 0; round < ROUNDS; round++)); do
  run 1 "$P1" 'fl:r:ip:{__rand_int__}' '' "$PID1"
  run 3 "${P3[0]}" 'fl:r:ip:{tag}:__rand_int__' --cluster "${PID3[@]}"
done

sum() { tr ' ' '\n' | grep . | paste -sd+ | bc -l; }
median() { tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
printf '| %-9s | %14s | %16s | %22s | %20s |\n' masters 'decisions/s' 'Redis CPU s' \
  'decisions per Redis CPU-s' 'client CPU s'
printf '|%s|%s:|%s:|%s:|%s:|\n' ----------- --------------- ----------------- \
  ----------------------- ---------------------
declare -A PER
for m in 1 3; do
  rate=$(echo "${RATE[$m]}" | median)
  cpus=$(echo "${RCPU[$m]}" | sum)
  per=$(echo "$ROUNDS * $REQUESTS / $cpus" | bc -l)
  PER[$m]=$per
  printf '| %-9s | %14.0f | %16.2f | %22.0f | %20.2f |\n' "$m" "$rate" "$cpus" "$per" \
    "$(echo "${BCPU[$m]}" | sum)"
  echo "#   rounds, decisions/s:${RATE[$m]}; Redis CPU s:${RCPU[$m]}"
done
R1=$(echo "${RATE[1]}" | median)
R3=$(echo "${RATE[3]}" | median)
printf '# 3 masters / 1 master: decisions/s %.2fx; decisions per Redis CPU-second %.2fx\n' \
  "$(echo "$R3 / $R1" | bc -l)" "$(echo "${PER[3]} / ${PER[1]}" | bc -l)"
echo "# decisions per master (EVALSHA calls, INFO commandstats):"
for p in "$P1" "${P3[@]}"; do
  printf '#   port %s: %s\n' "$p" \
    "$(redis-cli -p "$p" info commandstats | tr -d '\r' | grep '^cmdstat_evalsha:' | sed 's/,usec=.*//')"
done
# where the agent's keys would go: the share of client ids N (fl:r:ip:{N}, N < KEYS, at most 10^5
# of them) whose hash tag falls in each master's slots, by Redis Cluster's CRC16
redis-cli -p "${P3[0]}" cluster slots | python3 -c '
import sys
lines = [l.strip() for l in sys.stdin]
ranges = []  # (first, last, port) from the flat redis-cli output of CLUSTER SLOTS
i = 0
while i + 4 < len(lines):
    if lines[i].isdigit() and lines[i + 1].isdigit() and lines[i + 2] == "127.0.0.1":
        ranges.append((int(lines[i]), int(lines[i + 1]), lines[i + 3]))
        i += 4
    else:
        i += 1
def crc16(data):
    crc = 0
    for b in data:
        crc ^= b << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc
n = min(int(sys.argv[1]), 100000)
count = {}
for c in range(n):
    slot = crc16(str(c).encode()) % 16384
    for first, last, port in ranges:
        if first <= slot <= last:
            count[port] = count.get(port, 0) + 1
print("# agent keys over the 3 masters (%d client ids): " % n
      + ", ".join("port %s %.1f%%" % (p, 100.0 * v / n) for p, v in sorted(count.items())))
' "$KEYS"
echo "# load average at the end $(cut -d' ' -f1-3 /proc/loadavg)"
