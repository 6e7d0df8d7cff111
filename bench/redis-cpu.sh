#!/usr/bin/env bash
# Redis CPU per rate-limit decision (issue 15): server microseconds per call (INFO commandstats
# usec_per_call) of the agent's scripts, per algorithm, beside EVAL "return 1" and envoy
# ratelimit's INCRBY + EXPIRE pair, all on one private redis-server in one run, interleaved.
#
#   bench/redis-cpu.sh                 # from the repository root; needs redis-server, redis-cli,
#                                      # redis-benchmark on the PATH
#   ROUNDS=7 REQUESTS=100000 CLIENTS=16 KEYS=10000 bench/redis-cpu.sh
#   REDIS_NICE=-15 bench/redis-cpu.sh  # root only: the server preempted less on a busy machine
#   PATH=/path/to/redis/src:$PATH bench/redis-cpu.sh   # another Redis build (its server, cli and
#                                      # benchmark); bench/README.md, "Fifteenth round"
#
# Every contender runs ROUNDS times, in turn, REQUESTS calls from CLIENTS connections over KEYS
# client keys (redis-benchmark -r); the table gives the median and the lowest usec_per_call of
# its rounds and the median's ratio to the median of EVAL "return 1", then the Redis main thread's
# CPU per call (median) and its ratio. usec_per_call counts only the command's execution; the main
# thread's CPU counts all a call costs Redis (reading the socket, parsing, the reply, the syscalls),
# and is what bounds the decisions one Redis core serves. Limits are far above what
# a run sends, so every call is admitted and writes (the costlier path). "before" is the script
# of the versions before issue 15 (the text state), kept for the upgrade test.
set -euo pipefail

ROUNDS=${ROUNDS:-5}
REQUESTS=${REQUESTS:-100000}
CLIENTS=${CLIENTS:-16}
KEYS=${KEYS:-10000}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SCRIPTS=$ROOT/agent/src/main/resources/io/fastlimit/agent/backend/redis
BEFORE=$ROOT/agent/src/test/resources/io/fastlimit/agent/backend/redis/buckets-text-state.lua

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
redis-server --port "$PORT" --bind 127.0.0.1 --save "" --appendonly no --daemonize no \
  > /tmp/redis-cpu-$PORT.log 2>&1 &
SERVER=$!
trap 'kill $SERVER 2> /dev/null || true' EXIT
cli() { redis-cli -p "$PORT" "$@"; }
for _ in $(seq 50); do cli ping > /dev/null 2>&1 && break; sleep 0.1; done
if [ "${REDIS_NICE:-0}" != 0 ]; then renice -n "$REDIS_NICE" -p $SERVER > /dev/null; fi

ONE=$(cli script load "$(cat "$SCRIPTS/bucket.lua")")
MANY=$(cli script load "$(cat "$SCRIPTS/buckets.lua")")
OLD=$(cli script load "$(cat "$BEFORE")")
LIMIT=1000000000
WINDOW=60000
K='{__rand_int__}'

# name | command whose usec_per_call counts | redis-benchmark arguments
CONTENDERS=(
  'return 1 (EVAL)|eval|eval "return 1" 0'
  'envoy INCRBY|incrby|incrby fl:e:{__rand_int__} 1'
  'envoy EXPIRE|expire|expire fl:e:{__rand_int__} 60'
  # redis.fixed-window: commands, as the agent sends them for one charge: INCRBY and PEXPIRE of
  # the bucket's key of the window (its start in epoch ms after the client's tag)
  'fixed-window commands: INCRBY|incrby|incrby fl:c:{__rand_int__}:1800000000000 1'
  'fixed-window commands: PEXPIRE|pexpire|pexpire fl:c:{__rand_int__}:1800000000000 62000'
  # with NX (Redis 7.0+; measured, not sent by the agent: bench/README.md, "Fourteenth round"):
  # set by the write that made the key, answered without a write for the window's other charges
  'fixed-window commands: PEXPIRE NX|pexpire|pexpire fl:c:{__rand_int__}:1800000000000 62000 NX'
  # redis.sliding-window: commands adds an MGET of the previous window's key (and of the next
  # window's in a window's last 4 s; most keys hold a count)
  'sliding-window commands: MGET|mget|mget fl:c:{__rand_int__}:1800000000000'
  # redis.token-bucket: commands, for a rule of 1000 a day (1 unit a ms, 86 400 a token): ZADD GT
  # of now (the score t1 and the latest floor f1), ZINCRBY of the cost, PEXPIRE to a full bucket
  # plus the grace; one sorted set a bucket
  'token-bucket commands: ZADD GT|zadd|zadd fl:t:{__rand_int__}:t GT 1800000000000 t1 1800000000000 f1'
  'token-bucket commands: ZINCRBY|zincrby|zincrby fl:t:{__rand_int__}:t 86400 t1'
  'token-bucket commands: PEXPIRE|pexpire|pexpire fl:t:{__rand_int__}:t 86488400'
  # with GT and a stepped time to live (measured, not sent by the agent): the charges of one step
  # ask for the expiry the first of them set, answered without a write, as here (asking for less
  # than the key has); the first charge of each step would pay the plain PEXPIRE
  'token-bucket commands: PEXPIRE GT|pexpire|pexpire fl:t:{__rand_int__}:t 1000 GT'
)
# A sliding log by plain commands (measured, not sent by the agent; bench/README.md, "Fifteenth
# round"): the log of a client at LOG_FILL of its limit, filled before the rounds, as a sorted set
# (ZREMRANGEBYSCORE of what left the window, ZADD of the charge, ZCARD) or as a list (RPUSH of the
# charge, LTRIM to the newest LOG_FILL, LINDEX of the entry that decides); PEXPIRE as the window's
LOG_FILL=${LOG_FILL:-50}
CONTENDERS+=(
  'sliding-log, sorted set: ZREMRANGEBYSCORE|zremrangebyscore|zremrangebyscore fl:z:{__rand_int__} -inf 1799999940000'
  'sliding-log, sorted set: ZADD|zadd|zadd fl:z:{__rand_int__} 1800000000000 __rand_int__'
  'sliding-log, sorted set: ZCARD|zcard|zcard fl:z:{__rand_int__}'
  'sliding-log, list: RPUSH|rpush|rpush fl:q:{__rand_int__} 1800000000000:__rand_int__'
  "sliding-log, list: LTRIM|ltrim|ltrim fl:q:{__rand_int__} -$LOG_FILL -1"
  "sliding-log, list: LINDEX|lindex|lindex fl:q:{__rand_int__} -$LOG_FILL"
)
cli eval "for k = 0, $KEYS - 1 do
  local tag = '{' .. string.format('%012d', k) .. '}'
  for i = 1, $LOG_FILL do
    redis.call('ZADD', 'fl:z:' .. tag, 1799999990000 + i, 'm' .. i)
    redis.call('RPUSH', 'fl:q:' .. tag, (1799999990000 + i) .. ':m' .. i)
  end
end
return 1" 0 > /dev/null
NAMES=(sliding-window fixed-window token-bucket sliding-log)
for a in 0 1 2 3; do
  # a token bucket of 10^9 a minute is full again (and its key gone) 1 ms after a charge, so every
  # call would find no state: 1000 a day refills a token in 86 s, longer than a run, and a run
  # charges a key far fewer than 1000 times
  L=$LIMIT W=$WINDOW
  if [ $a = 2 ]; then L=1000 W=86400000; fi
  CONTENDERS+=("${NAMES[$a]}: bucket.lua|evalsha|evalsha $ONE 1 fl:$a:$K $a $L $W")
  CONTENDERS+=("${NAMES[$a]}: before|evalsha|evalsha $OLD 1 fl:o$a:$K '' $a $L $W 1 0")
done
CONTENDERS+=("fixed + token: buckets.lua, 2 charges|evalsha|evalsha $MANY 2 fl:2a:$K fl:2b:$K '' 1 $LIMIT $WINDOW 1 0 2 $LIMIT $WINDOW 1 0")
# The structural floors of a script that reads a bucket, decides and writes it back with an expiry,
# all arithmetic left out: with Redis's clock (TIME, GET, SET PXAT: the calls bucket.lua makes) and
# with the caller's (GET, SET PXAT). What bucket.lua costs beyond the first is its arithmetic.
CALLS3=$(cli script load "local t = redis.call('TIME') local v = redis.call('GET', KEYS[1]) redis.call('SET', KEYS[1], '0123456789012345678901234', 'PXAT', t[1] * 1000 + 60000) return {1, 2, 3}")
CALLS2=$(cli script load "local v = redis.call('GET', KEYS[1]) redis.call('SET', KEYS[1], '0123456789012345678901234', 'PXAT', ARGV[1] + 60000) return {1, 2, 3}")
CONTENDERS+=("floor: TIME + GET + SET PXAT, no arithmetic|evalsha|evalsha $CALLS3 1 fl:f3:$K")
CONTENDERS+=("floor: GET + SET PXAT (caller's clock)|evalsha|evalsha $CALLS2 1 fl:f2:$K 1800000000000")
# envoy sends its pair in one write (pipelined); redis-benchmark pipelines only one command, so two
# INCRBYs stand in for INCRBY + EXPIRE. Its figures are per pair: per decision, like the rest.
CONTENDERS+=("envoy pair pipelined (2 INCRBY, per pair)|incrby|-P 2 incrby fl:p:{__rand_int__} 1")

declare -A RESULTS CPU
# CPU seconds of Redis's main thread (user + system): unlike usec_per_call, not counting the time
# the server waited for a core, and counting everything a call costs (socket, parsing, reply)
cpu() {
  cli info cpu | tr -d '\r' | awk -F: '/^used_cpu_(sys|user)_main_thread:/ { t += $2 } END { printf "%.6f", t }'
}
for ((round = 0; round < ROUNDS; round++)); do
  for spec in "${CONTENDERS[@]}"; do
    IFS='|' read -r name command arguments <<< "$spec"
    per=1 # commands per decision: a pipelined pair is two
    case "$arguments" in -P\ 2\ *) per=2 ;; esac
    cli config resetstat > /dev/null
    before=$(cpu)
    eval "redis-benchmark -p $PORT -q -n $REQUESTS -c $CLIENTS -r $KEYS $arguments" > /dev/null
    after=$(cpu)
    usec=$(cli info commandstats | tr -d '\r' | grep "^cmdstat_$command:" \
      | sed 's/.*usec_per_call=\([0-9.]*\).*/\1/')
    RESULTS[$name]="${RESULTS[$name]:-} $(echo "$usec * $per" | bc -l)"
    CPU[$name]="${CPU[$name]:-} $(echo "($after - $before) * 1000000 * $per / $REQUESTS" | bc -l)"
  done
done

median() { tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
lowest() { tr ' ' '\n' | grep . | sort -g | head -1; }
FLOOR=$(echo "${RESULTS['return 1 (EVAL)']}" | median)
INCRBY=$(echo "${RESULTS['envoy INCRBY']}" | median)
EXPIRE=$(echo "${RESULTS['envoy EXPIRE']}" | median)
C_INCRBY=$(echo "${RESULTS['fixed-window commands: INCRBY']}" | median)
C_PEXPIRE=$(echo "${RESULTS['fixed-window commands: PEXPIRE']}" | median)
C_GET=$(echo "${RESULTS['sliding-window commands: MGET']}" | median)
T_ZADD=$(echo "${RESULTS['token-bucket commands: ZADD GT']}" | median)
T_ZINCRBY=$(echo "${RESULTS['token-bucket commands: ZINCRBY']}" | median)
T_PEXPIRE=$(echo "${RESULTS['token-bucket commands: PEXPIRE']}" | median)
C_NX=$(echo "${RESULTS['fixed-window commands: PEXPIRE NX']}" | median)
T_GT=$(echo "${RESULTS['token-bucket commands: PEXPIRE GT']}" | median)
Z_TRIM=$(echo "${RESULTS['sliding-log, sorted set: ZREMRANGEBYSCORE']}" | median)
Z_ADD=$(echo "${RESULTS['sliding-log, sorted set: ZADD']}" | median)
Z_CARD=$(echo "${RESULTS['sliding-log, sorted set: ZCARD']}" | median)
Q_PUSH=$(echo "${RESULTS['sliding-log, list: RPUSH']}" | median)
Q_TRIM=$(echo "${RESULTS['sliding-log, list: LTRIM']}" | median)
Q_INDEX=$(echo "${RESULTS['sliding-log, list: LINDEX']}" | median)

echo "# $(date -u '+%F %T') UTC, $(redis-server --version | cut -d' ' -f3), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# $ROUNDS rounds x $REQUESTS calls, $CLIENTS clients, $KEYS keys; usec_per_call median (lowest); x = median / EVAL \"return 1\""
CPU_FLOOR=$(echo "${CPU['return 1 (EVAL)']}" | median)
printf '| %-42s | %16s | %7s | %12s | %7s |\n' 'contender' 'usec_per_call' 'x floor' 'CPU us/call' 'x floor'
printf '|%s|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..44})" "$(printf -- '-%.0s' {1..17}):" \
  "$(printf -- '-%.0s' {1..8}):" "$(printf -- '-%.0s' {1..13}):" "$(printf -- '-%.0s' {1..8}):"
for spec in "${CONTENDERS[@]}"; do
  name=${spec%%|*}
  m=$(echo "${RESULTS[$name]}" | median)
  l=$(echo "${RESULTS[$name]}" | lowest)
  c=$(echo "${CPU[$name]}" | median)
  printf '| %-42s | %7.2f (%6.2f) | %6.2fx | %12.2f | %6.2fx |\n' "$name" "$m" "$l" \
    "$(echo "$m / $FLOOR" | bc -l)" "$c" "$(echo "$c / $CPU_FLOOR" | bc -l)"
done
printf '| %-42s | %7.2f          | %6.2fx |              |         |\n' \
  'envoy INCRBY + EXPIRE pair (sum of medians)' \
  "$(echo "$INCRBY + $EXPIRE" | bc -l)" "$(echo "($INCRBY + $EXPIRE) / $FLOOR" | bc -l)"
printf '| %-42s | %7.2f          | %6.2fx |              |         |\n' \
  'fixed-window: commands, INCRBY + PEXPIRE (sum)' \
  "$(echo "$C_INCRBY + $C_PEXPIRE" | bc -l)" "$(echo "($C_INCRBY + $C_PEXPIRE) / $FLOOR" | bc -l)"
printf '| %-42s | %7.2f          | %6.2fx |              |         |
' \
  'sliding-window: commands, + MGET (sum)' \
  "$(echo "$C_INCRBY + $C_PEXPIRE + $C_GET" | bc -l)" \
  "$(echo "($C_INCRBY + $C_PEXPIRE + $C_GET) / $FLOOR" | bc -l)"
printf '| %-42s | %7.2f          | %6.2fx |              |         |\n' \
  'token-bucket: commands, ZADD+ZINCRBY+PEXPIRE' \
  "$(echo "$T_ZADD + $T_ZINCRBY + $T_PEXPIRE" | bc -l)" \
  "$(echo "($T_ZADD + $T_ZINCRBY + $T_PEXPIRE) / $FLOOR" | bc -l)"
sum() { # name, then the medians to add
  local name=$1 total
  shift
  total=$(echo "$*" | tr ' ' '+' | bc -l)
  printf '| %-42s | %7.2f          | %6.2fx |              |         |\n' "$name" "$total" \
    "$(echo "$total / $FLOOR" | bc -l)"
}
sum 'fixed-window: commands, if with NX' "$C_INCRBY" "$C_NX"
sum 'sliding-window: commands, if with NX' "$C_INCRBY" "$C_NX" "$C_GET"
sum 'token-bucket: commands, if with GT' "$T_ZADD" "$T_ZINCRBY" "$T_GT"
sum 'sliding-log: sorted set, 4 commands' "$Z_TRIM" "$Z_ADD" "$Z_CARD" "$C_PEXPIRE"
sum 'sliding-log: list, 4 commands' "$Q_PUSH" "$Q_TRIM" "$Q_INDEX" "$C_PEXPIRE"
sum 'sliding-log: list, LTRIM 1 charge in 16' "$Q_PUSH" "$Q_INDEX" "$C_PEXPIRE" "$(echo "$Q_TRIM / 16" | bc -l)"
echo "# load average at the end $(cut -d' ' -f1-3 /proc/loadavg)"
