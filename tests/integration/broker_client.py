#!/usr/bin/env python3
"""A session's side of the broker's protocol (src/esp/brokered.h), for
tests/integration/test_live_broker.sh: says hello as a customer, sends
requests, prints each answer as one JSON line.

  broker_client.py SOCKET CUSTOMER [REQUEST_JSON ...]   (hello's ticket: $BROKER_TICKET)
      one connection: hello, then each request in turn; prints the hello's
      answer then every reply.  Exit 0, or 3 when the broker closed early.
  broker_client.py --many N SOCKET REQUEST_TEMPLATE
      N connections at once (customers c01..cNN; "{n}" in the template is
      replaced by the number), each sends its request; prints one reply a
      line once all answered.
"""
import json
import os
import selectors
import socket
import sys
import time


def connect(path, customer):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(60)
    s.connect(path)
    f = s.makefile("rwb", buffering=0)
    hello = {"op": "hello", "v": 1, "customer": customer}
    if os.environ.get("BROKER_TICKET"):
        hello["ticket"] = os.environ["BROKER_TICKET"]
    try:
        s.sendall((json.dumps(hello) + "\n").encode())
    except (BrokenPipeError, ConnectionResetError):
        pass  # refused at once: its answer is still there to read
    return s, f


def readline(f):
    line = f.readline()
    if not line:
        return None
    return json.loads(line)


def one(path, customer, requests):
    s, f = connect(path, customer)
    hello = readline(f)
    if hello is None:
        return 3
    print(json.dumps(hello), flush=True)
    if not hello.get("ok"):
        return 0
    for r in requests:
        s.sendall((r + "\n").encode())
        ans = readline(f)
        if ans is None:
            return 3
        print(json.dumps(ans), flush=True)
    return 0


def many(n, path, template):
    sel = selectors.DefaultSelector()
    conns = {}
    for i in range(1, n + 1):
        s, f = connect(path, "c%02d" % i)
        conns[s] = {"f": f, "i": i, "buf": b"", "hello": None, "reply": None}
        sel.register(s, selectors.EVENT_READ)
    pending = n
    # A bound, not a measure: a broker that never answers fails the test.
    deadline = time.monotonic() + 2 * int(os.environ.get("E2E_TIMEOUT", "30"))
    while pending:
        if time.monotonic() > deadline:
            print("%d of %d sessions never got an answer" % (pending, n), file=sys.stderr)
            return 4
        for key, _ in sel.select(timeout=1):
            s = key.fileobj
            c = conns[s]
            data = s.recv(65536)
            if not data:
                sel.unregister(s)
                pending -= 1
                continue
            c["buf"] += data
            while b"\n" in c["buf"]:
                line, c["buf"] = c["buf"].split(b"\n", 1)
                msg = json.loads(line)
                if c["hello"] is None:
                    c["hello"] = msg
                    s.sendall((template.replace("{n}", "%02d" % c["i"]) + "\n").encode())
                else:
                    c["reply"] = msg
                    sel.unregister(s)
                    pending -= 1
    for c in conns.values():
        print(json.dumps(c["reply"]))
    return 0


if __name__ == "__main__":
    if sys.argv[1] == "--many":
        sys.exit(many(int(sys.argv[2]), sys.argv[3], sys.argv[4]))
    sys.exit(one(sys.argv[1], sys.argv[2], sys.argv[3:]))
