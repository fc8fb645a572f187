#!/usr/bin/env python3
"""A local Domain Connect DNS provider for tests (loopback only).

HTTPS (stdlib http.server + ssl) with the certificate the test made:
  GET /v2/<domain>/settings          the provider's settings JSON
  GET /v2/domainTemplates/providers/<p>/services/<s>
                                     200 for a --supported template, else 404
  GET /v2/domainTemplates/providers/<p>/services/<s>/apply?...
                                     verifies sig (RS256 over the query string
                                     minus sig and key) against the public key
                                     read from Knot by DNS (TXT
                                     <key>.<syncPubKeyDomain>, p=N,a=RS256,d=...
                                     parts joined), then writes the template's
                                     records into Knot with knsupdate.
                                     200 "applied" or 400 "error=...".
Faults, per domain (--mode DOMAIN=MODE): malformed (settings not JSON),
slow (answers after --slow-seconds), huge (a body of 1 MB).
Every request line is appended to --log as it arrives (tests check that a
guarded discovery never reached it).  The port is written to --port-file
once listening.
"""
import argparse
import base64
import json
import os
import re
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ARGS = None
LOG_LOCK = threading.Lock()


def log(line):
    with LOG_LOCK:
        with open(ARGS.log, "a", encoding="utf-8") as f:
            f.write(line + "\n")


def dns_txt(name):
    """The TXT records at name, each one's strings joined, via kdig at Knot."""
    addr, port = ARGS.dns.rsplit(":", 1)
    out = subprocess.run(
        ["kdig", "@" + addr, "-p", port, "+time=2", "+retry=1", "+norec", "+short",
         name, "TXT"], capture_output=True, text=True, timeout=10, check=False).stdout
    recs = []
    for line in out.splitlines():
        parts = re.findall(r'"((?:[^"\\]|\\.)*)"', line)
        if parts:
            recs.append("".join(parts))
    return recs


def public_key_pem(key, pubkey_domain):
    parts = {}
    for rec in dns_txt(key + "." + pubkey_domain):
        fields = dict(f.split("=", 1) for f in rec.split(",") if "=" in f)
        if fields.get("a", "RS256") != "RS256" or "p" not in fields or "d" not in fields:
            continue
        parts[int(fields["p"])] = fields["d"]
    if not parts:
        return None
    der64 = "".join(parts[k] for k in sorted(parts))
    lines = [der64[i:i + 64] for i in range(0, len(der64), 64)]
    return "-----BEGIN PUBLIC KEY-----\n" + "\n".join(lines) + "\n-----END PUBLIC KEY-----\n"


def verify(signed, sig_b64, pem):
    try:
        sig = base64.b64decode(sig_b64, validate=True)
    except ValueError:
        return False
    with tempfile.TemporaryDirectory() as d:
        for name, data in (("pub.pem", pem.encode()), ("sig", sig), ("data", signed.encode())):
            with open(os.path.join(d, name), "wb") as f:
                f.write(data)
        r = subprocess.run(["openssl", "dgst", "-sha256", "-verify", os.path.join(d, "pub.pem"),
                            "-signature", os.path.join(d, "sig"), os.path.join(d, "data")],
                           capture_output=True, check=False)
        return r.returncode == 0


def fill(text, params):
    def sub(m):
        v = params.get(m.group(1).lower())
        if v is None:
            raise KeyError(m.group(1))
        return v
    return re.sub(r"%([A-Za-z0-9_]+)%", sub, text)


def apply_records(template, domain, host, params):
    addr, port = ARGS.dns.rsplit(":", 1)
    lines = ["server %s %s" % (addr, port), "zone %s." % domain]
    for rec in template["records"]:
        name = fill(rec["host"], params)
        if host:
            name = host if name == "@" else name + "." + host
        fqdn = domain + "." if name == "@" else name + "." + domain + "."
        ttl = int(rec.get("ttl", 3600))
        if rec["type"] == "TXT":
            data = fill(rec["data"], params)
            chunks = [data[i:i + 255] for i in range(0, len(data), 255)] or [""]
            rdata = " ".join('"%s"' % c.replace('\\', '\\\\').replace('"', '\\"') for c in chunks)
            lines.append("update delete %s TXT" % fqdn if rec.get("txtConflictMatchingMode") == "All" else "")
            lines.append("update add %s %d TXT %s" % (fqdn, ttl, rdata))
        elif rec["type"] == "CNAME":
            target = fill(rec["pointsTo"], params).rstrip(".") + "."
            lines.append("update delete %s CNAME" % fqdn)
            lines.append("update add %s %d CNAME %s" % (fqdn, ttl, target))
        else:
            raise ValueError("record type %s not served by this test provider" % rec["type"])
    lines.append("send")
    r = subprocess.run(["knsupdate", "-t", "5"], input="\n".join(l for l in lines if l) + "\n",
                       capture_output=True, text=True, timeout=20, check=False)
    if r.returncode != 0:
        raise RuntimeError("knsupdate: " + r.stdout + r.stderr)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # quiet: the request log is ours
        pass

    def reply(self, status, body, ctype="application/json"):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        try:
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
            pass

    def do_GET(self):
        log("GET " + self.path)
        url = urllib.parse.urlsplit(self.path)
        parts = url.path.strip("/").split("/")
        if len(parts) == 3 and parts[0] == "v2" and parts[2] == "settings":
            return self.settings(parts[1].lower())
        if (len(parts) in (6, 7) and parts[:3] == ["v2", "domainTemplates", "providers"]
                and parts[4] == "services"):
            tid = parts[3] + "/" + parts[5]
            if len(parts) == 7 and parts[6] == "apply":
                return self.apply(tid, url.query)
            if len(parts) == 6:
                return self.reply(200 if tid in ARGS.supported else 404,
                                  "{}" if tid in ARGS.supported else '{"error":"not found"}')
        self.reply(404, '{"error":"not found"}')

    def settings(self, domain):
        mode = MODES.get(domain, "normal")
        if mode == "slow":
            time.sleep(ARGS.slow_seconds)
        if mode == "huge":
            return self.reply(200, '{"providerId":"' + "x" * (1024 * 1024) + '"}')
        if mode == "malformed":
            return self.reply(200, '{"providerId": "localdns", "urlAPI": ')
        body = {
            "providerId": ARGS.provider_id,
            "providerName": ARGS.provider_name,
            "providerDisplayName": ARGS.display_name,
            "urlSyncUX": ARGS.sync_url.replace("{base}", BASE),
            "urlAsyncUX": ARGS.sync_url.replace("{base}", BASE),
            "urlAPI": ARGS.api_url.replace("{base}", BASE),
            "width": 750,
            "height": 750,
            "urlControlPanel": ARGS.panel_url.replace("{base}", BASE),
            "nameServers": ["ns1." + domain],
        }
        self.reply(200, json.dumps(body))

    def apply(self, tid, query):
        def refuse(error, why):
            log("APPLY refused %s: %s" % (error, why))
            self.reply(400, "error=%s&error_description=%s" % (error, urllib.parse.quote(why)),
                       "application/x-www-form-urlencoded")
        if not ARGS.template:
            return refuse("invalid_request", "no template configured")
        with open(ARGS.template, encoding="utf-8") as f:
            template = json.load(f)
        if tid != template["providerId"] + "/" + template["serviceId"]:
            return refuse("invalid_request", "unknown template")
        pairs = query.split("&") if query else []
        signed = "&".join(p for p in pairs if not p.startswith(("sig=", "key=")))
        params = {}
        for k, v in urllib.parse.parse_qsl(query, keep_blank_values=True):
            params[k.lower()] = v
        if "sig" not in params or "key" not in params:
            return refuse("invalid_request", "sig and key are required")
        pem = public_key_pem(params["key"], template["syncPubKeyDomain"])
        if not pem:
            return refuse("invalid_request", "no public key at the key host")
        if not verify(signed, params["sig"], pem):
            return refuse("invalid_request", "signature does not verify")
        try:
            apply_records(template, params.get("domain", ""), params.get("host", ""), params)
        except (KeyError, ValueError, RuntimeError) as e:
            return refuse("server_error", str(e))
        log("APPLY ok " + params.get("domain", ""))
        self.reply(200, "applied", "text/plain")


def main():
    global ARGS, MODES, BASE
    ap = argparse.ArgumentParser()
    ap.add_argument("--addr", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--provider-id", default="localdns.test")
    ap.add_argument("--provider-name", default="LocalDNS")
    ap.add_argument("--display-name", default="Local DNS Test Host")
    ap.add_argument("--api-url", default="{base}")
    ap.add_argument("--sync-url", default="{base}")
    ap.add_argument("--panel-url", default="{base}/panel/%domain%")
    ap.add_argument("--supported", action="append", default=[], help="PROVIDER/SERVICE")
    ap.add_argument("--mode", action="append", default=[], help="DOMAIN=MODE")
    ap.add_argument("--slow-seconds", type=float, default=8)
    ap.add_argument("--template", help="the vendor's template JSON (apply)")
    ap.add_argument("--dns", help="Knot, ADDR:PORT (public keys, updates)")
    ARGS = ap.parse_args()
    MODES = dict(m.split("=", 1) for m in ARGS.mode)
    srv = ThreadingHTTPServer((ARGS.addr, ARGS.port), Handler)
    srv.daemon_threads = True
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(ARGS.cert, ARGS.key)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    port = srv.server_address[1]
    BASE = "https://%s:%d" % (ARGS.addr, port)
    open(ARGS.log, "a", encoding="utf-8").close()
    with open(ARGS.port_file + ".tmp", "w", encoding="utf-8") as f:
        f.write("%d\n" % port)
    os.rename(ARGS.port_file + ".tmp", ARGS.port_file)
    srv.serve_forever()


MODES = {}
BASE = ""
if __name__ == "__main__":
    sys.exit(main())
