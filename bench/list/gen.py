#!/usr/bin/env python3
"""gen.py DIR N [SEED]: writes N customers' state files (schema 3) into DIR
for bench/list/run.sh, made from template.json (a real state file saved by
behalf --demo on the records step, with the zone-appended diagnosis).

The mix, by a seeded random draw (the same files every run): 55 % on the
records step (zone-appended, not-propagated, or nothing found yet), 30 %
done, 10 % waiting for option 2's confirmation, 5 % still choosing.  Each
has its own domain and a step entered up to 10 days ago; each file's mtime
(what --since reads) is set to a time after that."""
import copy
import json
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
NOW_MS = 1798761600000  # 2027-01-01, what BEHALF_FAKE_TIME=1798761600 says


def main():
    if len(sys.argv) not in (3, 4):
        print(__doc__, file=sys.stderr)
        return 2
    out, n = sys.argv[1], int(sys.argv[2])
    rng = random.Random(int(sys.argv[3]) if len(sys.argv) == 4 else 11)
    with open(os.path.join(HERE, "template.json"), encoding="utf-8") as f:
        template = json.load(f)
    text = json.dumps(template)
    os.makedirs(out, mode=0o700, exist_ok=True)
    for i in range(n):
        cust = f"cust-{i:05d}"
        domain = f"c{i:05d}-example.com"
        d = json.loads(text.replace("acme-example.com", domain))
        d["customer"] = cust
        since = NOW_MS - rng.randrange(10 * 24 * 3600 * 1000)
        d["step_since_ms"] = since
        draw = rng.random()
        recs = d["records"]
        if draw < 0.55:
            kind = rng.choice(["zone-appended", "not-propagated", "missing"])
            if kind == "not-propagated":
                recs[0]["result"]["status"] = "partial"
                recs[0]["result"]["diagnoses"] = [
                    {"code": "not-propagated", "arg": "ns52.domaincontrol.com", "arg2": ""}]
            elif kind == "missing":
                recs[0]["result"]["diagnoses"] = []
        elif draw < 0.85:
            d["step"] = "done"
            d["history"].append("records")
            for r in recs:
                r["result"]["status"] = "verified"
                r["result"]["diagnoses"] = []
                for s in r["result"]["servers"]:
                    s["status"] = "verified"
            for r in d["esp_domain"]["records"]:
                r["esp_verified"] = True
            d["milestones_ms"][5] = since  # onboarding.done
        elif draw < 0.95:
            d["step"] = "confirm"
            d["option"] = "address"
            d["history"] = ["welcome", "choose", "address"]
            d["address"]["email"] = {"text": f"help@{domain}", "cursor": 0}
            d["address"]["normalized"] = f"help@{domain}"
            d["signature"] = {"exists": True, "id": str(1000 + i),
                              "email": f"help@{domain}", "name": "Help",
                              "confirmed": False, "created_ms": since, "resent_ms": 0}
        else:
            d["step"] = "choose"
            d["option"] = "none"
            d["history"] = ["welcome"]
        path = os.path.join(out, cust + ".json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(d, f, indent=2)
        os.chmod(path, 0o600)
        mtime = (since + rng.randrange(3600 * 1000)) / 1000
        os.utime(path, (mtime, mtime))
    return 0


if __name__ == "__main__":
    sys.exit(main())
