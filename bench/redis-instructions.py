#!/usr/bin/env python3
"""Redis CPU per rate-limit decision as instructions (issue 15): load-independent.

    bench/redis-instructions.py              # from the repository root; needs valgrind,
                                             # redis-server and redis-cli on the PATH
    CALLS=2000 BATCH=16 bench/redis-instructions.py
    ONLY='sliding-log: bucket' bench/redis-instructions.py   # the floor and contenders matching
    KEEP=/tmp/dumps bench/redis-instructions.py   # keep the callgrind files of every phase

`usec_per_call` (INFO commandstats, bench/redis-cpu.sh) is wall time inside the command: on a busy
machine it counts the time the server waited for a core. This counts instructions instead, which
no other process changes: a redis-server is started for the measurement on a free port under
`valgrind --tool=callgrind`, and the same calls as redis-cpu.sh (each algorithm's one-charge
script, EVAL "return 1", envoy ratelimit's INCRBY + EXPIRE pair, the pre-issue-15 script) are sent
phase by phase, CALLS calls a phase in pipelined batches of BATCH (as many clients would).
Around each phase `callgrind_control -z` zeroes the counts and `callgrind_control -d` dumps them;
the dump is read here (the callgrind format) for:

- command: instructions inclusive of processCommand (lookup, checks, call(): the command itself,
  its reply buffered, statistics) divided by its calls; the headline, the phase INFO
  commandstats' usec_per_call times. Exactly the phase's calls: no other client talks to the server.
- whole: every instruction of the server during the phase (reading and parsing the request,
  writing the reply, the event loop, its timers) divided by the phase's calls.

Each script runs twice: on keys never seen (first touch: GET finds nothing) and on the same keys
again (existing state: the stored state parsed, updated and written). Limits are far above what
a phase sends, so every call is admitted and writes (the costlier path), as in redis-cpu.sh (the
token bucket 1000 a day, so that its state outlives the run: see TOKEN_LIMIT).

A decision's breakdown (where the script's instructions go) is printed for the existing-state
phases: inclusive instructions per call of TIME, GET and SET run by redis.call (timeCommand,
getCommand, setCommand), all redis.call work (scriptCall, which includes those three and the
nested call()), and the script's run as a whole (luaCallFunction), the Lua VM and Lua's C
libraries (struct.pack, string.format...) being the difference; the Debian binary is stripped
of the static Lua functions' names, so finer than that is not told apart.
"""

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

CALLS = int(os.environ.get("CALLS", "2000"))
BATCH = int(os.environ.get("BATCH", "16"))
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPTS = os.path.join(ROOT, "agent/src/main/resources/io/fastlimit/agent/backend/redis")
BEFORE = os.path.join(
    ROOT, "agent/src/test/resources/io/fastlimit/agent/backend/redis/buckets-text-state.lua"
)
LIMIT = "1000000000"
WINDOW = "60000"
# a token bucket of 10^9 a minute is full again 1 ms after a charge, and its key expires then: the
# second phase would find no state. 1000 a day refills a token in 86 s, longer than a run
TOKEN_LIMIT = "1000"
TOKEN_WINDOW = "86400000"


def resp(args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        if isinstance(a, str):
            a = a.encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


class Client:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.buf = b""

    def _line(self):
        while b"\r\n" not in self.buf:
            data = self.sock.recv(65536)
            if not data:
                raise EOFError("redis closed the connection")
            self.buf += data
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _bulk(self, n):
        while len(self.buf) < n + 2:
            self.buf += self.sock.recv(65536)
        data, self.buf = self.buf[:n], self.buf[n + 2 :]
        return data

    def reply(self):
        line = self._line()
        kind, rest = line[:1], line[1:]
        if kind == b"-":
            raise RuntimeError(rest.decode())
        if kind in (b"+", b":"):
            return rest.decode() if kind == b"+" else int(rest)
        if kind == b"$":
            n = int(rest)
            return None if n < 0 else self._bulk(n).decode()
        if kind == b"*":
            return [self.reply() for _ in range(int(rest))]
        raise RuntimeError("unexpected reply " + line.decode())

    def run(self, commands):
        """Sends the commands in batches of BATCH, reads every reply; returns the last one."""
        last = None
        for i in range(0, len(commands), BATCH):
            batch = commands[i : i + BATCH]
            self.sock.sendall(b"".join(resp(c) for c in batch))
            for _ in batch:
                last = self.reply()
        return last


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def parse_callgrind(path):
    """Total Ir, and per function: inclusive Ir summed over the calls into it, its call count,
    and the names of the functions that call it."""
    names = {}
    inclusive, calls, callers = {}, {}, {}
    total = None
    caller, callee, pending = None, None, 0

    def name(spec):
        m = re.match(r"\((\d+)\)(?: (.*))?$", spec)
        if not m:
            return spec
        if m.group(2) is not None:
            names[m.group(1)] = m.group(2)
        return names[m.group(1)]

    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if pending:
                fields = line.split()
                inclusive[callee] = inclusive.get(callee, 0) + (int(fields[1]) if len(fields) > 1 else 0)
                calls[callee] = calls.get(callee, 0) + pending
                callers.setdefault(callee, set()).add(caller)
                pending = 0
            elif line.startswith("cfn="):
                callee = name(line[4:])
            elif line.startswith("fn="):
                caller = name(line[3:])
            elif line.startswith("calls="):
                pending = int(line[6:].split()[0])
            elif line.startswith("summary:") or line.startswith("totals:"):
                total = int(line.split()[1])
    return total, inclusive, calls, callers


def main():
    for tool in ("valgrind", "callgrind_control", "redis-server", "redis-cli"):
        if not shutil.which(tool):
            sys.exit(tool + " is not on the PATH")
    port = free_port()
    work = tempfile.mkdtemp(prefix="redis-instructions-")
    log = open(os.path.join(work, "valgrind.log"), "w")
    server = subprocess.Popen(
        [
            "valgrind", "--tool=callgrind", "--dump-instr=no",
            "--callgrind-out-file=" + os.path.join(work, "cg"),
            "redis-server", "--port", str(port), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no", "--daemonize", "no",
        ],
        stdout=log, stderr=subprocess.STDOUT, cwd=work,
    )
    try:
        client = None
        for _ in range(600):
            try:
                client = Client(port)
                client.run([["PING"]])
                break
            except OSError:
                time.sleep(0.1)
        if client is None:
            sys.exit("redis-server under valgrind did not answer; see " + log.name)
        return measure(client, server.pid, work)
    finally:
        server.terminate()
        server.wait()
        keep = os.environ.get("KEEP")
        if keep:
            shutil.copytree(work, keep, dirs_exist_ok=True)
        shutil.rmtree(work, ignore_errors=True)


def measure(client, pid, work):
    def load(path):
        with open(path) as f:
            return client.run([["SCRIPT", "LOAD", f.read()]])

    one, many, old = load(SCRIPTS + "/bucket.lua"), load(SCRIPTS + "/buckets.lua"), load(BEFORE)
    floor_sha = client.run([["SCRIPT", "LOAD", "return 1"]])
    seq = [0]

    def keys(prefix):
        return ["fl:%s:ip:{198.51.%d.%d}" % (prefix, i // 256, i % 256) for i in range(CALLS)]

    only = re.compile(os.environ.get("ONLY", ""))

    def phase(label, commands, per_decision=1, warm=None):
        """Runs the commands between a zero and a dump; instructions per decision."""
        if rows and not only.search(label):
            if warm:
                client.run(warm)
            client.run(commands)  # the keys of the next phase as if it had run
            return None
        if warm:
            client.run(warm)
        subprocess.run(["callgrind_control", "-z", str(pid)], check=True, capture_output=True)
        last = client.run(commands)
        subprocess.run(["callgrind_control", "-d", str(pid)], check=True, capture_output=True)
        seq[0] += 1
        dump = os.path.join(work, "phase-%02d" % seq[0])
        os.rename(_newest_dump(work), dump)
        total, inclusive, calls, callers = parse_callgrind(dump)
        if calls.get("processCommand", 0) != len(commands):
            raise RuntimeError(
                "%s: %s processCommand calls for %d commands"
                % (label, calls.get("processCommand"), len(commands))
            )
        decisions = len(commands) / per_decision
        return {
            "label": label,
            "command": inclusive["processCommand"] / decisions,
            # the timers (serverCron: memory statistics, client timeouts) run per wall-clock
            # interval, which valgrind stretches by the machine's load: left out
            "whole": (total - inclusive.get("serverCron", 0)) / decisions,
            "inclusive": {k: v / decisions for k, v in inclusive.items()},
            # the bridge of redis.call / redis.pcall (static, unnamed in a stripped binary):
            # whatever calls scriptCall
            "bridge": sum(
                inclusive.get(f, 0) for f in callers.get("scriptCall", ()) if f != "scriptCall"
            ) / decisions,
            "last": last,
        }

    rows = []
    n = ["0"]

    def fresh(prefix):
        n[0] = str(int(n[0]) + 1)
        return prefix + n[0]

    rows.append(phase('EVAL "return 1"', [["EVAL", "return 1", "0"]] * CALLS))

    def append(row):
        if row:
            rows.append(row)

    append(phase('EVALSHA "return 1"', [["EVALSHA", floor_sha, "0"]] * CALLS))

    def envoy(prefix):
        out = []
        for k in keys(prefix):
            out += [["INCRBY", k, "1"], ["EXPIRE", k, "60"]]
        return out

    p = fresh("e")
    append(phase("envoy INCRBY + EXPIRE, first touch", envoy(p), 2))
    append(phase("envoy INCRBY + EXPIRE, existing", envoy(p), 2))

    algorithms = ["sliding-window", "fixed-window", "token-bucket", "sliding-log"]
    for a, alg in enumerate(algorithms):
        limit, window = (TOKEN_LIMIT, TOKEN_WINDOW) if a == 2 else (LIMIT, WINDOW)

        def script(prefix, sha=one, extra=(), limit=limit, window=window):
            if sha == one:  # bucket.lua: cost 1 and Redis TIME go without saying
                return [["EVALSHA", sha, "1", k, str(a), limit, window] for k in keys(prefix)]
            return [
                ["EVALSHA", sha, "1", k, "", str(a), limit, window, "1"] + list(extra)
                for k in keys(prefix)
            ]

        p = fresh("b")
        append(phase(alg + ": bucket.lua, first touch", script(p)))
        append(phase(alg + ": bucket.lua, existing", script(p)))
        p = fresh("o")
        append(
            phase(alg + ": before, existing", script(p, old, ["0"]), warm=script(p, old, ["0"]))
        )
        if a in (1, 2):
            p = fresh("m")
            append(
                phase(alg + ": buckets.lua, existing", script(p, many, ["0"]),
                      warm=script(p, many, ["0"]))
            )

    for r in rows:
        last = r["last"]
        # bucket.lua answers admitted calls with 3 elements, the others with allowed (1) first
        if isinstance(last, list) and (len(last) != 3 if "bucket.lua" in r["label"] else last[0] != 1):
            raise RuntimeError(r["label"] + ": a call was not admitted: %s" % last)

    floor = rows[0]
    print("# %s UTC, %s, valgrind %s, load average %s"
          % (time.strftime("%F %T", time.gmtime()),
             subprocess.run(["redis-server", "--version"], capture_output=True, text=True)
             .stdout.split()[2],
             subprocess.run(["valgrind", "--version"], capture_output=True, text=True)
             .stdout.strip(),
             " ".join(open("/proc/loadavg").read().split()[:3])))
    print("# %d calls a phase in batches of %d; instructions (Ir) per decision; x = / EVAL \"return 1\""
          % (CALLS, BATCH))
    print("| %-44s | %12s | %7s | %12s | %7s |" % ("contender", "command Ir", "x floor",
                                                    "whole Ir", "x floor"))
    print("|%s|%s:|%s:|%s:|%s:|" % ("-" * 46, "-" * 13, "-" * 8, "-" * 13, "-" * 8))
    for r in rows:
        print("| %-44s | %12.0f | %6.2fx | %12.0f | %6.2fx |"
              % (r["label"], r["command"], r["command"] / floor["command"], r["whole"],
                 r["whole"] / floor["whole"]))

    print()
    print("# where a script's instructions go (Ir per decision, inclusive): dispatch = processCommand")
    print("# outside the script (lookup, EVALSHA's script lookup, call()); setup = luaCallFunction outside")
    print("# lua_pcall (KEYS and ARGV tables, the reply converted, Lua's GC step); bridge = redis.call")
    print("# outside the command (arguments to Redis objects, the reply parsed back into Lua); Lua = the")
    print("# rest of lua_pcall (the VM, tonumber, struct, string.format, math.fmod...); commands =")
    print("# the commands redis.call ran (scriptCall: checks, call(), the command), of which TIME, GET,")
    print("# SET (the command's own function). dispatch + setup + Lua + bridge + commands = command Ir")
    cols = ["dispatch", "setup", "Lua", "bridge", "commands", "TIME", "GET", "SET"]
    print("| %-44s | %s |" % ("contender", " | ".join("%8s" % c for c in cols)))
    print("|%s|%s|" % ("-" * 46, "|".join("-" * 9 + ":" for _ in cols)))
    for r in rows:
        if "envoy" in r["label"]:
            continue
        inc = r["inclusive"]
        script = inc.get("luaCallFunction", 0)
        pcall = inc.get("lua_pcall", 0)
        commands = inc.get("scriptCall", 0)
        bridge = r["bridge"] - commands
        values = [r["command"] - script, script - pcall, pcall - r["bridge"], bridge, commands,
                  inc.get("timeCommand", 0), inc.get("getCommand", 0), inc.get("setCommand", 0)]
        print("| %-44s | %s |" % (r["label"], " | ".join("%8.0f" % v for v in values)))
    return 0


def _newest_dump(work):
    for _ in range(50):
        dumps = [os.path.join(work, f) for f in os.listdir(work) if f.startswith("cg.")]
        if dumps:
            break
        time.sleep(0.1)
    return max(dumps, key=os.path.getmtime)


if __name__ == "__main__":
    sys.exit(main())
