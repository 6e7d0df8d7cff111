#!/usr/bin/env python3
"""Redis Cluster scale-out as instructions (issue 15): 1 master against 3, load-independent.

    bench/redis-cluster-instructions.py      # from the repository root; needs valgrind,
                                             # redis-server and redis-cli on the PATH
    CLIENTS=3000 ALGORITHM=2 bench/redis-cluster-instructions.py

bench/redis-cluster-scale.sh measures the same thing by wall time and CPU seconds, which on a
2-core machine cannot show three masters outrunning one: the masters and the client share the
two cores. Here every master counts its own instructions instead, which neither the machine's load
nor the number of cores changes. Four cluster-enabled redis-servers are started on free ports,
each under `valgrind --tool=callgrind` (as bench/redis-instructions.py does for one server): one
holding all 16384 slots (the 1-master cluster) and three that split them as
`redis-cli --cluster create` would (0-5460, 5461-10922, 10923-16383), joined by CLUSTER MEET.

The workload is many clients, each with its own key of the agent's shape `fl:r:ip:{address}` (the
address is the hash tag, as in `RedisBackend`): CLIENTS distinct IPv4 addresses, each decided
once on keys never seen (first touch) and once more (existing state), by `bucket.lua` with the
agent's KEYS and ARGV (Redis TIME, ALGORITHM, a limit far above what a run sends: every call
admits and writes). A call goes to the master owning its key's slot (CRC16 of the tag, as Lettuce
routes it), pipelined BATCH at a time per master. Around each phase every master's counts are
zeroed and dumped (`callgrind_control -z` / `-d`), and for each master are read: its decisions
(processCommand calls, checked against the calls routed to it), instructions per decision inside
the command (processCommand inclusive: what INFO commandstats times) and in the whole server
(without the timers, serverCron, and the cluster bus, clusterReadHandler, which run per wall-clock
interval and so per valgrind's slowness).

Then, "per the same CPU": give each master the same instruction budget (one core each). One
master decides budget / Ir per decision; three masters decide until the busiest is out of budget:
budget / max over masters (its share of decisions x its Ir per decision). Their ratio is the
scale-out (3.0x when the hash tags spread clients evenly and a decision costs the same on every
master). Beside it, the instructions all masters spend per decision, 3 against 1: what a fleet
pays in total for running a cluster of three (1.0x if splitting the slots costs nothing).
"""

import importlib.util
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location("redis_instructions",
                                               os.path.join(HERE, "redis-instructions.py"))
ri = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ri)

CLIENTS = int(os.environ.get("CLIENTS", "3000"))
ALGORITHM = os.environ.get("ALGORITHM", "0")  # 0 sliding window, 1 fixed, 2 token bucket, 3 log
BATCH = ri.BATCH
LIMIT, WINDOW = (ri.TOKEN_LIMIT, ri.TOKEN_WINDOW) if ALGORITHM == "2" else (ri.LIMIT, ri.WINDOW)
THREE = [(0, 5460), (5461, 10922), (10923, 16383)]


def crc16(data):
    crc = 0
    for b in data:
        crc ^= b << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def slot(key):
    tag = key[key.index("{") + 1 : key.index("}")]
    return crc16(tag.encode()) % 16384


def cluster_port():
    """A free port whose cluster bus port (+10000) is free too."""
    while True:
        port = ri.free_port()
        if port > 55535:
            continue
        s = socket.socket()
        try:
            s.bind(("127.0.0.1", port + 10000))
            return port
        except OSError:
            pass
        finally:
            s.close()


class Master:
    def __init__(self, work, name):
        self.port = cluster_port()
        self.dir = os.path.join(work, name)
        os.makedirs(self.dir)
        self.log = open(os.path.join(self.dir, "valgrind.log"), "w")
        self.proc = subprocess.Popen(
            [
                "valgrind", "--tool=callgrind", "--dump-instr=no",
                "--callgrind-out-file=" + os.path.join(self.dir, "cg"),
                "redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--daemonize", "no",
                "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                "--cluster-node-timeout", "600000",
            ],
            stdout=self.log, stderr=subprocess.STDOUT, cwd=self.dir,
        )
        self.client = None
        self.seq = 0

    def connect(self):
        for _ in range(900):
            try:
                self.client = ri.Client(self.port)
                self.client.run([["PING"]])
                return
            except OSError:
                time.sleep(0.1)
        sys.exit("redis-server under valgrind did not answer; see " + self.log.name)

    def zero(self):
        subprocess.run(["callgrind_control", "-z", str(self.proc.pid)], check=True,
                       capture_output=True)

    def dump(self):
        subprocess.run(["callgrind_control", "-d", str(self.proc.pid)], check=True,
                       capture_output=True)
        self.seq += 1
        path = os.path.join(self.dir, "phase-%02d" % self.seq)
        os.rename(ri._newest_dump(self.dir), path)
        return ri.parse_callgrind(path)

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


def await_ok(masters):
    for _ in range(1200):
        if all("cluster_state:ok" in m.client.run([["CLUSTER", "INFO"]]) for m in masters):
            return
        time.sleep(0.1)
    sys.exit("the cluster did not come up")


def main():
    for tool in ("valgrind", "callgrind_control", "redis-server", "redis-cli"):
        if not shutil.which(tool):
            sys.exit(tool + " is not on the PATH")
    work = tempfile.mkdtemp(prefix="redis-cluster-instructions-")
    masters = []
    try:
        masters = [Master(work, "one")] + [Master(work, "three-%d" % i) for i in range(3)]
        for m in masters:
            m.connect()
        one, three = masters[0], masters[1:]
        one.client.run([["CLUSTER", "ADDSLOTSRANGE", "0", "16383"]])
        for m, (first, last) in zip(three, THREE):
            m.client.run([["CLUSTER", "ADDSLOTSRANGE", str(first), str(last)]])
        for m in three[1:]:
            three[0].client.run([["CLUSTER", "MEET", "127.0.0.1", str(m.port)]])
        await_ok(masters)
        return measure(one, three)
    finally:
        for m in masters:
            m.stop()
        keep = os.environ.get("KEEP")
        if keep:
            shutil.copytree(work, keep, dirs_exist_ok=True)
        shutil.rmtree(work, ignore_errors=True)


def measure(one, three):
    with open(os.path.join(ri.SCRIPTS, "bucket.lua")) as f:
        text = f.read()
    sha = None
    for m in [one] + three:
        sha = m.client.run([["SCRIPT", "LOAD", text]])

    def owner(key):
        s = slot(key)
        for m, (first, last) in zip(three, THREE):
            if first <= s <= last:
                return m
        raise AssertionError(s)

    keys = ["fl:r:ip:{10.%d.%d.%d}" % (i >> 16 & 255, i >> 8 & 255, i & 255)
            for i in range(1, CLIENTS + 1)]

    def phase(masters, route):
        """Sends every key's decision to its master; per master: decisions, command and whole Ir
        per decision."""
        calls = {m.port: [] for m in masters}
        for k in keys:
            calls[route(k).port].append(
                ["EVALSHA", sha, "1", k, ALGORITHM, LIMIT, WINDOW])
        for m in masters:
            m.zero()
        for m in masters:
            last = m.client.run(calls[m.port])
            if calls[m.port] and len(last) != 3:  # now, remaining, reset: admitted
                raise RuntimeError("a call was not admitted: %s" % last)
        out = []
        for m in masters:
            total, inclusive, n, _ = m.dump()
            sent = len(calls[m.port])
            if n.get("processCommand", 0) != sent:
                raise RuntimeError("port %d: %s processCommand calls for %d commands"
                                   % (m.port, n.get("processCommand"), sent))
            timers = inclusive.get("serverCron", 0) + inclusive.get("clusterReadHandler", 0)
            out.append({"port": m.port, "decisions": sent,
                        "command": inclusive.get("processCommand", 0),
                        "whole": total - timers})
        return out

    rows = []
    for state in ("first touch", "existing"):
        rows.append(("1 master, " + state, phase([one], lambda k: one)))
        rows.append(("3 masters, " + state, phase(three, owner)))

    print("# %s UTC, %s, valgrind %s, load average %s (the counts do not depend on it)"
          % (time.strftime("%F %T", time.gmtime()),
             subprocess.run(["redis-server", "--version"], capture_output=True, text=True)
             .stdout.split()[2],
             subprocess.run(["valgrind", "--version"], capture_output=True, text=True)
             .stdout.strip(),
             " ".join(open("/proc/loadavg").read().split()[:3])))
    print("# %d clients (fl:r:ip:{10.x.y.z}), algorithm %s, bucket.lua; each phase decides every"
          " client once" % (CLIENTS, ALGORITHM))
    print("| %-22s | %6s | %9s | %6s | %18s | %16s |"
          % ("phase", "master", "decisions", "share", "command Ir / dec.", "whole Ir / dec."))
    print("|%s|%s:|%s:|%s:|%s:|%s:|" % ("-" * 24, "-" * 7, "-" * 10, "-" * 7, "-" * 19, "-" * 17))
    summary = {}
    for label, per in rows:
        n = sum(p["decisions"] for p in per)
        for i, p in enumerate(per):
            d = max(p["decisions"], 1)
            print("| %-22s | %6d | %9d | %5.1f%% | %18.0f | %16.0f |"
                  % (label, i + 1, p["decisions"], 100.0 * p["decisions"] / n,
                     p["command"] / d, p["whole"] / d))
        for what in ("command", "whole"):
            # per decision of the whole cluster: the busiest master's instructions, and all of them
            summary[(label, what)] = (max(p[what] for p in per) / n, sum(p[what] for p in per) / n)

    print()
    print("# per the same CPU (the same instruction budget per master): decisions 3 masters / 1 master;")
    print("# scale-out = 1 master's Ir per decision / the busiest of 3's (its Ir / all decisions);")
    print("# total = 1 master's Ir per decision / all 3 masters' Ir per decision")
    print("| %-12s | %-7s | %9s | %7s |" % ("state", "Ir", "scale-out", "total"))
    print("|%s|%s|%s:|%s:|" % ("-" * 14, "-" * 9, "-" * 10, "-" * 8))
    for state in ("first touch", "existing"):
        for what in ("command", "whole"):
            busiest1, all1 = summary[("1 master, " + state, what)]
            busiest3, all3 = summary[("3 masters, " + state, what)]
            print("| %-12s | %-7s | %8.2fx | %6.2fx |"
                  % (state, what, busiest1 / busiest3, all1 / all3))
    return 0


if __name__ == "__main__":
    sys.exit(main())
