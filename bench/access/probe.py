#!/usr/bin/env python3
"""For bench/access/lookup.sh: makes a store of N key bindings, and times
and measures behalf against it.

  make     --state DIR --n N --key FILE: writes DIR/access/keys.json, the one
           file an earlier behalf kept every binding in ({"schema":1,
           "keys":[...]}), with N bindings of made-up ed25519 keys, the last
           of them the key whose public line goes to FILE (the worst place
           for a whole-file scan).  The binary moves it to one file a key.
  session  --bin B --config C --key FILE --runs R: starts `behalf
           ssh-session` in a pseudo terminal (80x24) as sshd would, with
           $SSH_USER_AUTH naming a file with the key.  A customer new to the
           wizard is walked to the records screen once (not measured); then
           R sessions resume there (as bench/ssh/sessions.sh measures
           them): the time to that first frame, the session's Private_Dirty
           (smaps_rollup) on it, and its peak resident size so far (VmHWM:
           what reading the store cost at its height, even if given back).
  sshkeys  --bin B --config C --user U --key FILE --runs R: runs `behalf
           ssh-keys --user U --config C U TYPE KEY` as sshd's
           AuthorizedKeysCommand line does, R times; the time of each.
Prints one JSON object (medians, p95)."""

import argparse
import base64
import hashlib
import json
import os
import re
import selectors
import signal
import struct
import subprocess
import sys
import termios
import fcntl
import time

ESC = re.compile(rb"\x1b(\[[0-9;?<>=]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[()*+][0-9A-Za-z]|[=>78DEHMNOZc])")


def key_line(i):
    t = b"ssh-ed25519"
    k = hashlib.sha256(b"bench-key-%d" % i).digest()
    blob = struct.pack(">I", len(t)) + t + struct.pack(">I", len(k)) + k
    b64 = base64.b64encode(blob).decode()
    fp = "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")
    return "ssh-ed25519", b64, fp


def make(a):
    os.makedirs(os.path.join(a.state, "access"), mode=0o700, exist_ok=True)
    keys = []
    for i in range(a.n):
        _, _, fp = key_line(i)
        keys.append({"fingerprint": fp, "customer": "c%05d" % i, "added": 1780000000000 + i,
                     "from": "192.0.2.%d" % (i % 250 + 1), "invite": "B%05d" % i})
    path = os.path.join(a.state, "access", "keys.json")
    with open(path, "w") as f:
        json.dump({"schema": 1, "keys": keys}, f, indent=1)
    os.chmod(path, 0o600)
    t, b64, fp = key_line(a.n - 1)
    with open(a.key, "w") as f:
        f.write("%s %s bench\n" % (t, b64))
    print(json.dumps({"n": a.n, "bytes": os.path.getsize(path), "fingerprint": fp,
                      "customer": "c%05d" % (a.n - 1)}))


def pct(xs, p):
    xs = sorted(xs)
    k = (len(xs) - 1) * p / 100.0
    lo, hi = int(k), min(int(k) + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def private_kb(pid):
    with open("/proc/%d/smaps_rollup" % pid) as f:
        for line in f:
            if line.startswith("Private_Dirty:"):
                return int(line.split()[1])
    return None


def peak_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return None


class Term:
    """behalf ssh-session in a pseudo terminal, as sshd starts it."""

    def __init__(self, a, auth):
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        env = {"TERM": "xterm-256color", "LANG": "C.UTF-8", "SSH_USER_AUTH": auth,
               "SSH_CONNECTION": "192.0.2.1 50000 192.0.2.2 22", "PATH": "/usr/bin:/bin"}
        self.t0 = time.monotonic()
        self.p = subprocess.Popen([a.bin, "ssh-session", "--config", a.config], stdin=slave,
                                  stdout=slave, stderr=slave, env=env, start_new_session=True)
        os.close(slave)
        self.fd = master
        self.seen = b""
        self.timeout = a.timeout

    def wait(self, *texts):
        """Reads until one of texts is on the screen (spaces ignored): its index."""
        wants = [t.replace(" ", "").encode() for t in texts]
        sel = selectors.DefaultSelector()
        sel.register(self.fd, selectors.EVENT_READ)
        end = time.monotonic() + self.timeout
        try:
            while time.monotonic() < end:
                for i, w in enumerate(wants):
                    if w in self.seen:
                        self.seen = b""
                        return i
                sel.select(0.2)
                try:
                    data = os.read(self.fd, 65536)
                except BlockingIOError:
                    continue
                except OSError:
                    break
                if not data:
                    break
                self.seen = (self.seen + ESC.sub(b"", data).replace(b"\r", b"")
                             .replace(b"\n", b"").replace(b" ", b""))[-8192:]
        finally:
            sel.close()
        raise SystemExit("no %s from behalf ssh-session within %ss: %r" %
                         (texts, self.timeout, self.seen[-300:]))

    def send(self, data):
        os.write(self.fd, data)

    def close(self):
        for sig in (signal.SIGHUP, signal.SIGKILL):
            if self.p.poll() is None:
                os.killpg(self.p.pid, sig)
                try:
                    self.p.wait(timeout=3)
                except subprocess.TimeoutExpired:
                    pass
        os.close(self.fd)


WELCOME, RECORDS = "Press Enter to start", "_domainkey"


def one_session(a, auth):
    """A session to its records screen: a new customer is walked there first
    (not timed: None); one whose step is saved there resumes on it.  The
    time to that frame, Private_Dirty and peak RSS on it."""
    t = Term(a, auth)
    try:
        first = t.wait(WELCOME, RECORDS)
        frame = (time.monotonic() - t.t0) * 1000 if first == 1 else None
        if first == 0:
            t.send(b"\r")
            t.wait("How should your emails be sent?")
            t.send(b"1")
            t.wait("Which domain")
            t.send(b"bench-mail.example\r")
            t.wait(RECORDS)
            t.send(b"\x03")  # quit: the step is saved before it exits
            t.wait("Quit?")
            t.send(b"y")
            t.p.wait(timeout=a.timeout)
            return None, None, None
        return frame, private_kb(t.p.pid), peak_kb(t.p.pid)
    finally:
        t.close()


def session(a):
    with open(a.key) as f:
        t, b64 = f.read().split()[:2]
    auth = a.key + ".auth"
    with open(auth, "w") as f:
        f.write("publickey %s %s\n" % (t, b64))
    os.chmod(auth, 0o644)
    frames, kbs, peaks = [], [], []
    while len(frames) < a.runs:
        frame, kb, peak = one_session(a, auth)
        if frame is None:
            continue  # walked there: the next ones resume
        frames.append(frame)
        kbs.append(kb)
        peaks.append(peak)
    print(json.dumps({"first_frame_ms": {"p50": pct(frames, 50), "p95": pct(frames, 95)},
                      "private_kb": {"p50": pct(kbs, 50), "max": max(kbs)},
                      "peak_rss_kb": {"p50": pct(peaks, 50), "max": max(peaks)}}))


def sshkeys(a):
    with open(a.key) as f:
        t, b64 = f.read().split()[:2]
    argv = [a.bin, "ssh-keys", "--user", a.user, "--config", a.config, a.user, t, b64]
    times = []
    for _ in range(a.runs):
        t0 = time.monotonic()
        out = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             env={"PATH": "/usr/bin:/bin"})
        times.append((time.monotonic() - t0) * 1000)
        if out.returncode != 0 or b64.encode() not in out.stdout:
            raise SystemExit("ssh-keys: status %d, %r %r" % (out.returncode, out.stdout[:200],
                                                            out.stderr[:200]))
    print(json.dumps({"ms": {"p50": pct(times, 50), "p95": pct(times, 95)}}))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["make", "session", "sshkeys"])
    p.add_argument("--state")
    p.add_argument("--n", type=int, default=10)
    p.add_argument("--key", required=True)
    p.add_argument("--bin")
    p.add_argument("--config")
    p.add_argument("--user", default="behalf")
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--timeout", type=float, default=20)
    a = p.parse_args()
    {"make": make, "session": session, "sshkeys": sshkeys}[a.mode](a)


if __name__ == "__main__":
    main()
