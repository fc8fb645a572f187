#!/usr/bin/env python3
"""Drives many `ssh -tt` clients, each in its own pseudo terminal (80x24),
for bench/ssh/sessions.sh.  Two modes:

  enroll   for each key: connect, type the customer's invite code (unless
           its line has "-": a key the vendor bound), walk to the records
           screen (Enter, 1, a domain, Enter), quit; a few at a time.  Not
           measured: it leaves N bound keys whose saved step is the records
           screen.
  measure  opens N connections at once; for each, the time from spawning
           ssh to the moment the records screen's text is on the terminal
           (escape sequences stripped, as bench/first_frame.c does); then,
           with every session waiting there, samples /proc: Private_Dirty
           (smaps_rollup) of every server process under sshd (its
           per-connection processes and behalf), and their CPU
           (utime+stime) over --window seconds; the broker's too, if given.
           Prints one JSON object.

Every client is killed at exit (SIGHUP then SIGKILL), so sshd ends the
sessions."""

import argparse
import json
import os
import re
import selectors
import signal
import socket
import struct
import subprocess
import sys
import termios
import threading
import fcntl
import time

ESC = re.compile(rb"\x1b(\[[0-9;?<>=]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[()*+][0-9A-Za-z]|[=>78DEHMNOZc])")
CLK = os.sysconf("SC_CLK_TCK")


def strip(data):
    return ESC.sub(b"", data).replace(b"\r", b"").replace(b"\n", b"").replace(b" ", b"")


class Client:
    def __init__(self, idx, argv):
        self.idx = idx
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        self.t0 = time.monotonic()
        env = dict(os.environ, TERM="xterm-256color", LANG="C.UTF-8")
        # No controlling terminal needed (ssh -tt reads the size and modes
        # from its stdin); without preexec_fn, Popen can use vfork.
        self.proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave,
                                     env=env, start_new_session=True)
        os.close(slave)
        os.set_blocking(master, False)
        self.fd = master
        self.seen = b""  # stripped text since the last expectation was met
        self.raw_after = 0  # bytes read after the first frame
        self.t_frame = None
        self.closed = False

    def read(self):
        try:
            data = os.read(self.fd, 65536)
        except BlockingIOError:
            return b""
        except OSError:
            data = b""
        if not data:
            self.closed = True
        return data

    def send(self, text):
        os.write(self.fd, text)

    def kill(self):
        for sig in (signal.SIGHUP, signal.SIGKILL):
            if self.proc.poll() is None:
                try:
                    os.killpg(self.proc.pid, sig)
                except ProcessLookupError:
                    pass
                try:
                    self.proc.wait(timeout=3)
                except subprocess.TimeoutExpired:
                    pass
        if not self.closed:
            os.close(self.fd)
            self.closed = True


def ssh_argv(a, key):
    return ["ssh", "-tt", "-F", "/dev/null", "-o", "IdentitiesOnly=yes", "-o",
            "IdentityAgent=none", "-i", os.path.join(a.keys, key), "-o",
            "UserKnownHostsFile=" + a.known_hosts, "-o", "StrictHostKeyChecking=yes",
            "-o", "BatchMode=yes", "-o", "LogLevel=ERROR", "-o", "ConnectTimeout=60",
            "-p", str(a.port), a.user + "@127.0.0.1"]


def wait_text(c, text, timeout):
    """Reads c until the stripped text holds `text` (spaces ignored)."""
    want = text.replace(" ", "").encode()
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if want in c.seen:
            c.seen = b""
            return True
        sel = selectors.DefaultSelector()
        sel.register(c.fd, selectors.EVENT_READ)
        sel.select(0.2)
        sel.close()
        data = c.read()
        if c.closed:
            break
        c.seen = (c.seen + strip(data))[-8192:]
    raise SystemExit("client %d: no '%s' within %ss; saw: %r" %
                     (c.idx, text, timeout, c.seen[-300:].decode(errors="replace")))


def enroll(a):
    codes = [line.split() for line in open(a.codes)]
    pending = list(codes)
    done = 0
    # One client at a time per slot; slots run in turns (the steps are short).
    while pending:
        batch, pending = pending[:a.parallel], pending[a.parallel:]
        clients = [(Client(i, ssh_argv(a, key)), code, key) for i, (key, code) in enumerate(batch)]
        steps = [("Invite code", None), (None, lambda k, c: c.encode() + b"\r"),
                 ("Press Enter to start.", b"\r"),
                 ("How should your emails be sent?", b"1"),
                 ("Which domain", lambda k, c: (k + ".example\r").encode()),
                 (a.expect, b"\x03"), ("Quit?", b"y")]
        for c, code, key in clients:
            for text, keys in steps[2:] if code == "-" else steps:
                if text:
                    wait_text(c, text, a.timeout)
                if callable(keys):
                    keys = keys(key, code)
                if keys:
                    c.send(keys)
        for c, _, _ in clients:
            try:
                c.proc.wait(timeout=a.timeout)
            except subprocess.TimeoutExpired:
                raise SystemExit("client %d did not exit after quitting" % c.idx)
            c.kill()
        done += len(batch)
    print(json.dumps({"enrolled": done}))


def children():
    kids = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % pid) as f:
                st = f.read()
        except OSError:
            continue
        ppid = int(st[st.rindex(")") + 2:].split()[1])
        kids.setdefault(ppid, []).append(int(pid))
    return kids


def tree(root, kids):
    out, todo = [], list(kids.get(root, []))
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(kids.get(p, []))
    return out


def comm(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            args = f.read().split(b"\0")
        if args[0].startswith(b"sshd"):
            return "sshd"
        name = os.path.basename(args[0]).decode(errors="replace")
        if name == "behalf" and len(args) > 1:
            return "behalf " + args[1].decode(errors="replace")
        return name
    except OSError:
        return "?"


def cpu_ticks(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            st = f.read()
        fields = st[st.rindex(")") + 2:].split()
        return int(fields[11]) + int(fields[12])
    except (OSError, ValueError, IndexError):
        return None


def private_kb(pid):
    tot = 0
    try:
        with open("/proc/%d/smaps_rollup" % pid) as f:
            for line in f:
                if line.startswith(("Private_Dirty:",)):
                    tot += int(line.split()[1])
    except OSError:
        return None
    return tot


def rss_kb(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def busy_ticks():
    """Busy ticks of the whole machine (every CPU), from /proc/stat."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return sum(v) - v[3] - v[4]  # less idle and iowait


def pct(xs, p):
    xs = sorted(xs)
    if not xs:
        return None
    k = (len(xs) - 1) * p / 100.0
    lo, hi = int(k), min(int(k) + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def pump(clients, sel, until, want=None, all_seen=False):
    """Reads every client until `until` (or, with all_seen, until every
    client has seen `want`), noting when each first sees `want`."""
    waiting = sum(1 for c in clients if c.t_frame is None and not c.closed) if want else 0
    while True:
        if all_seen and waiting == 0:
            return
        left = until - time.monotonic()
        for key, _ in sel.select(max(0.0, min(0.5, left))):
            c = key.data
            data = c.read()
            now = time.monotonic()
            if c.closed:
                sel.unregister(c.fd)
                if c.t_frame is None and want:
                    waiting -= 1  # gone without a frame (refused, dropped)
                continue
            if c.t_frame is None and want:
                c.seen = (c.seen + strip(data))[-8192:]
                if want in c.seen:
                    c.t_frame = now
                    c.seen = b""
                    waiting -= 1
            else:
                c.raw_after += len(data)
        if left <= 0:
            return


def knot_queries(sock):
    """Queries Knot answered so far (its mod-stats, every protocol)."""
    if not sock:
        return None
    try:
        out = subprocess.run(["knotc", "-s", sock, "stats", "mod-stats.request-protocol"],
                             capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    return sum(int(line.rsplit("=", 1)[1]) for line in out.splitlines() if "=" in line)


class BrokerPinger(threading.Thread):
    """Times a round trip to the broker's socket every `every` seconds:
    connect, a hello, its answer (the broker refuses root at once, in the
    same loop that serves the sessions: the time is its queueing delay)."""

    def __init__(self, path, every=0.2):
        super().__init__(daemon=True)
        self.path, self.every, self.ms, self.failed = path, every, [], 0
        self.stop = threading.Event()

    def run(self):
        while not self.stop.wait(self.every):
            t0 = time.monotonic()
            try:
                with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                    s.settimeout(10)
                    s.connect(self.path)
                    try:
                        s.sendall(b'{"op":"hello","v":1,"customer":""}\n')
                    except OSError:
                        pass
                    if not s.recv(4096):
                        raise OSError("closed without an answer")
                self.ms.append((time.monotonic() - t0) * 1000)
            except OSError:
                self.failed += 1


def measure(a):
    allkeys = [line.split()[0] for line in open(a.codes)]
    keys, extra = allkeys[:a.n], allkeys[a.n:a.n + a.probes]
    want = a.expect.replace(" ", "").encode()
    sel = selectors.DefaultSelector()
    clients = []
    try:
        t_start = time.monotonic()
        busy0 = busy_ticks()
        kids = children()
        base_cpu = {p: cpu_ticks(p) for p in [a.sshd_pid] + tree(a.sshd_pid, kids)}
        # Beside the sessions: the broker, and what is reported apart
        # (Knot, the simulator).
        aside = dict(x.split("=", 1)[::-1] for x in a.aside)
        aside = {int(p): name for p, name in aside.items()}
        if a.broker_pid:
            aside[a.broker_pid] = "broker"
        aside0 = {p: cpu_ticks(p) for p in aside}
        knot0 = knot_queries(a.knot_sock)
        pinger = BrokerPinger(a.broker_socket) if a.broker_socket else None
        if pinger:
            pinger.start()
        for i, key in enumerate(keys):
            c = Client(i, ssh_argv(a, key))
            clients.append(c)
            sel.register(c.fd, selectors.EVENT_READ, c)
            # Drain what is ready; with --rate, wait for the next one's turn.
            pump(clients, sel, t_start + (i + 1) / a.rate if a.rate > 0 else time.monotonic(),
                 want)
        t_spawned = time.monotonic()
        pump(clients, sel, t_start + a.timeout, want, all_seen=True)
        t_all = time.monotonic()
        if pinger:
            pinger.stop.set()
            pinger.join()
        aside_start = {name: ((cpu_ticks(p) or 0) - (aside0[p] or 0)) / CLK
                       for p, name in aside.items()}
        knot_start = knot_queries(a.knot_sock)
        busy_start = busy_ticks() - busy0
        client_start = sum(cpu_ticks(c.proc.pid) or 0 for c in clients)
        frames = [(c.t_frame - c.t0) * 1000 for c in clients if c.t_frame]
        missing = [c.idx for c in clients if c.t_frame is None]
        # CPU spent by the server side from the first spawn until all frames
        # (key exchange, authentication, the key look-ups, the sessions' start).
        kids = children()
        server = tree(a.sshd_pid, kids)
        start_ticks = 0
        for p in [a.sshd_pid] + server:
            t = cpu_ticks(p)
            if t is not None:
                start_ticks += t - (base_cpu.get(p) or 0)
        # Settle, then the waiting window.
        pump(clients, sel, time.monotonic() + a.settle)
        kids = children()
        server = tree(a.sshd_pid, kids)
        procs = {p: comm(p) for p in server}
        if a.broker_pid:
            procs[a.broker_pid] = "broker"
        procs[a.sshd_pid] = "sshd listener"
        mem = {}
        for p, name in procs.items():
            kb = private_kb(p)
            if kb is not None:
                mem.setdefault(name, []).append(kb)
        rss = {}
        for p, name in procs.items():
            kb = rss_kb(p)
            if kb is not None:
                rss.setdefault(name, []).append(kb)
        c0 = {p: cpu_ticks(p) for p in procs}
        aside_w0 = {p: cpu_ticks(p) for p in aside}
        knot_w0 = knot_queries(a.knot_sock)
        client_pids = [c.proc.pid for c in clients]
        cc0 = {p: cpu_ticks(p) for p in client_pids}
        self0 = os.times()
        for c in clients:
            c.raw_after = 0
        w0 = time.monotonic()
        busy1 = busy_ticks()
        pump(clients, sel, w0 + a.window)
        w1 = time.monotonic()
        busy_window = busy_ticks() - busy1
        knot_w1 = knot_queries(a.knot_sock)
        aside_window = {name: ((cpu_ticks(p) or 0) - (aside_w0[p] or 0)) / CLK
                        for p, name in aside.items()}
        self1 = os.times()
        cpu = {}
        for p, name in procs.items():
            t = cpu_ticks(p)
            if t is not None and c0[p] is not None:
                cpu[name] = cpu.get(name, 0) + t - c0[p]
        cct = sum((cpu_ticks(p) or 0) - (cc0[p] or 0) for p in client_pids)
        alive = sum(1 for c in clients if c.proc.poll() is None)
        sessions = len(mem.get("behalf ssh-session", []))
        secs = w1 - w0
        # Probes: one more customer at a time while all N wait (keys
        # enrolled beyond the N: a second connection of a key in use would
        # take its session over).
        probes = []
        for i, key in enumerate(extra):
            c = Client(1000 + i, ssh_argv(a, key))
            wait_text(c, a.expect, a.timeout)
            probes.append((time.monotonic() - c.t0) * 1000)
            c.kill()
        out = {
            "n": a.n,
            "rate": a.rate,
            "frames": len(frames),
            "missing": missing[:20],
            "first_frame_ms": {"p50": pct(frames, 50), "p95": pct(frames, 95),
                               "max": max(frames) if frames else None,
                               "min": min(frames) if frames else None},
            "probe_ms": {"count": len(probes), "p50": pct(probes, 50),
                         "p95": pct(probes, 95), "max": max(probes) if probes else None},
            "spawn_s": t_spawned - t_start,
            "all_frames_s": t_all - t_start,
            "start_cpu_s": start_ticks / CLK,
            "machine_cpu_start_s": busy_start / CLK,
            "client_cpu_start_s": client_start / CLK,
            "machine_cpu_window_pct_of_core": 100.0 * busy_window / CLK / secs,
            "sessions_alive": alive,
            "behalf_sessions": sessions,
            "private_kb": {k: {"count": len(v), "sum": sum(v), "mean": sum(v) / len(v)}
                           for k, v in mem.items()},
            "rss_kb": {k: {"count": len(v), "mean": sum(v) / len(v)} for k, v in rss.items()},
            "window_s": secs,
            "cpu_s": {k: v / CLK for k, v in cpu.items()},
            "cpu_total_pct_of_core": 100.0 * sum(cpu.values()) / CLK / secs,
            "client_cpu_pct_of_core": 100.0 * cct / CLK / secs,
            "driver_cpu_pct_of_core": 100.0 * ((self1.user - self0.user) +
                                               (self1.system - self0.system)) / secs,
            "bytes_to_clients_in_window": sum(c.raw_after for c in clients),
            # The broker (also in cpu_s above), Knot and the simulator (not
            # in it): CPU seconds until all frames and in the window.
            "aside_cpu_start_s": aside_start,
            "aside_cpu_window_s": aside_window,
        }
        if knot0 is not None and knot_w1 is not None:
            out["knot_queries_start"] = knot_start - knot0
            out["knot_queries_per_s_window"] = (knot_w1 - knot_w0) / secs
        if pinger:
            out["broker_ping_ms"] = {"count": len(pinger.ms), "failed": pinger.failed,
                                     "p50": pct(pinger.ms, 50), "p95": pct(pinger.ms, 95),
                                     "max": max(pinger.ms) if pinger.ms else None}
        print(json.dumps(out, indent=1))
    finally:
        for c in clients:
            c.kill()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["enroll", "measure"])
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--user", required=True)
    p.add_argument("--keys", required=True, help="directory of the private keys")
    p.add_argument("--known-hosts", required=True)
    p.add_argument("--codes", required=True, help="lines 'KEYNAME CODE'")
    p.add_argument("--expect", required=True, help="text of the records screen")
    p.add_argument("--n", type=int, default=200)
    p.add_argument("--parallel", type=int, default=4)
    p.add_argument("--timeout", type=float, default=120)
    p.add_argument("--settle", type=float, default=5)
    p.add_argument("--window", type=float, default=30)
    p.add_argument("--rate", type=float, default=0,
                   help="connections a second (0: all at once)")
    p.add_argument("--probes", type=int, default=20)
    p.add_argument("--sshd-pid", type=int, default=0)
    p.add_argument("--broker-pid", type=int, default=0)
    p.add_argument("--broker-socket", help="times a round trip to it while connecting")
    p.add_argument("--aside", action="append", default=[], metavar="NAME=PID",
                   help="a process whose CPU is reported apart (Knot, the simulator)")
    p.add_argument("--knot-sock", help="knotc's socket: Knot's queries counted")
    a = p.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    enroll(a) if a.mode == "enroll" else measure(a)


if __name__ == "__main__":
    main()
