#!/usr/bin/env python3
"""gen.py DIR N: N customers who finished option 1 (bench/monitor/run.sh).

DIR/state/cust-NNNNN.json: a state file at done (made from
bench/list/template.json, a real state file saved by behalf --demo, every
record verified); DIR/zones/cNNNNN-example.com.zone: the customer's zone
with the records published; DIR/zonelist: the zones, for knot.conf."""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    out, n = sys.argv[1], int(sys.argv[2])
    with open(os.path.join(HERE, "..", "list", "template.json"), encoding="utf-8") as f:
        text = json.dumps(json.load(f))
    state, zones = os.path.join(out, "state"), os.path.join(out, "zones")
    os.makedirs(state, mode=0o700, exist_ok=True)
    os.makedirs(zones, exist_ok=True)
    names = []
    for i in range(n):
        cust, domain = f"cust-{i:05d}", f"c{i:05d}-example.com"
        d = json.loads(text.replace("acme-example.com", domain))
        d["customer"] = cust
        d["step"] = "done"
        d["history"].append("records")
        d["milestones_ms"][5] = d["step_since_ms"]
        lines = [f"$ORIGIN {domain}.", "$TTL 300",
                 f"@ SOA ns1.{domain}. hostmaster.{domain}. 1 3600 900 604800 300",
                 f"@ NS ns1.{domain}.", f"ns1 A 127.0.0.1"]
        for r in d["records"]:
            r["result"]["status"] = "verified"
            r["result"]["diagnoses"] = []
            for s in r["result"]["servers"]:
                s["status"] = "verified"
            if r["type"] == "TXT":
                lines.append(f'{r["name"]}. TXT "{r["value"]}"')
            else:
                lines.append(f'{r["name"]}. {r["type"]} {r["value"]}.')
        for r in d["esp_domain"]["records"]:
            r["esp_verified"] = True
        with open(os.path.join(state, cust + ".json"), "w", encoding="utf-8") as f:
            json.dump(d, f)
        os.chmod(os.path.join(state, cust + ".json"), 0o600)
        with open(os.path.join(zones, domain + ".zone"), "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
        names.append(domain)
    with open(os.path.join(out, "zonelist"), "w", encoding="utf-8") as f:
        f.write("\n".join(names) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
