#!/usr/bin/env python3
"""memscan.py PID [--hex] NEEDLE...: exit 0 when the readable memory of
process PID holds one of the NEEDLEs (text, or with --hex byte strings in
hex), 1 when none.  The secrets tests use it: a token or a private key must
be in the broker's memory (so the scan works) and never in a session's.
Mappings larger than 4 GiB are a sanitizer's reserved shadow, not data, and
are skipped; [vvar] cannot be read."""
import re
import sys


def main():
    args = sys.argv[1:]
    if len(args) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    pid, args = args[0], args[1:]
    hexed = args[0] == "--hex"
    if hexed:
        args = args[1:]
    needles = [bytes.fromhex(a) if hexed else a.encode() for a in args]
    chunk = 1 << 20
    keep = max(len(n) for n in needles)
    with open("/proc/%s/maps" % pid) as maps, open("/proc/%s/mem" % pid, "rb", 0) as mem:
        for line in maps:
            m = re.match(r"([0-9a-f]+)-([0-9a-f]+) (\S+)", line)
            if not m or m.group(3)[0] != "r" or "[vvar]" in line:
                continue
            start, end = int(m.group(1), 16), int(m.group(2), 16)
            if end - start > 4 << 30:
                continue
            tail = b""
            for at in range(start, end, chunk):
                try:
                    mem.seek(at)
                    data = tail + mem.read(min(chunk, end - at))
                except (OSError, ValueError, OverflowError):
                    tail = b""
                    continue
                if any(n in data for n in needles):
                    return 0
                tail = data[-keep:]
    return 1


if __name__ == "__main__":
    sys.exit(main())
