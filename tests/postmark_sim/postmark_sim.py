#!/usr/bin/env python3
"""A local Postmark API simulator for behalf's tests (standard library only).

Follows ../../../shared/reference/postmark-api.md (kept in the repository's
docs as "reference/postmark-api.md"): case-insensitive paths with an
optional trailing slash, PascalCase JSON replies with
"Content-Type: application/json; charset=utf-8", the error envelope
{"ErrorCode": n, "Message": "..."}, account and server tokens (401, code 10),
offset paging (count 1..500 and offset both required, TotalCount), domains
with a pending DKIM key at <UTC yyyyMMddHHmmss>pm._domainkey.<domain>,
sender signatures (free-mail refused with 503), servers (unique names 603,
deletion refused 604, ApiTokens) and POST /email.

Start:   python3 postmark_sim.py --port 0 --port-file F
         [--account-token T] [--server-token T] [--not-found 422|404]
         [--pending-approval] [--fake-time EPOCH] [--dns-server IP:PORT]
Listens on 127.0.0.1 only; writes the chosen port to F once it listens.
Defaults: account token "sim-account-token", server token "sim-server-token".

With --dns-server, verifyDkim and verifyReturnPath ask that DNS server (UDP)
for the DKIM TXT record and the Return-Path CNAME, as Postmark would ask the
world; without it they believe what POST /__control/dns said.

Control API (no token needed, never recorded, JSON in and out):
  GET    /__control/requests        every API request received, oldest first:
                                    [{"Method","Path","Headers":{..},"Body"}]
                                    token headers hold "REDACTED:<sha256[:12]>"
  DELETE /__control/requests        forgets them
  GET    /__control/state           {"Domains":[..],"SenderSignatures":[..],
                                     "Servers":[..],"Emails":[..]} (full objects)
  POST   /__control/reset           empties the account, the requests, the faults
                                    and the DNS reports; options back to start
  POST   /__control/options         {"NotFound":404|422, "PendingApproval":bool,
                                     "AllowServerDelete":bool}
  POST   /__control/dns             {"Domain":"x.example","DKIM":bool,
                                     "ReturnPath":bool}: what DNS holds now
  POST   /__control/confirm         {"EmailAddress":"a@b"} or {"ID":n}: the
                                    person clicked the confirmation link
  POST   /__control/domains         {"Name":"x.example", "Count":n}: creates
                                    domains directly (Count: x1.example..xn)
  POST   /__control/faults          {"Kind":K, "Count":n (1), "Path":"regex"
                                     (any; searched in the lower-cased path),
                                     "Method":"POST" (any), "After":bool,
                                     "Seconds":s (hang, default 30),
                                     "Status":n, "Body":{..} (Kind "reply")}
                                    K: "429", "500", "503": that status with the
                                    envelope; "hang": no answer for Seconds, then
                                    close; "malformed": 200 with broken JSON;
                                    "reset": TCP reset; "reply": the given
                                    Status and Body.  After=true: the request
                                    is carried out first, then its answer is
                                    replaced (a reply lost after a create).
                                    The next matching requests take the
                                    faults in the order they were added.
  GET    /__control/faults          faults not yet used
  DELETE /__control/faults          drops them
"""

import argparse
import base64
import datetime
import hashlib
import json
import os
import random
import re
import socket
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

FREEMAIL = {
    "gmail.com", "googlemail.com", "yahoo.com", "yahoo.co.uk", "yahoo.fr",
    "hotmail.com", "hotmail.co.uk", "outlook.com", "live.com", "msn.com",
    "aol.com", "icloud.com", "me.com", "mac.com", "gmx.com", "gmx.de",
    "web.de", "mail.com", "yandex.ru", "yandex.com", "proton.me",
    "protonmail.com", "zoho.com", "qq.com", "163.com", "free.fr", "orange.fr",
}
COLOURS = {"purple", "blue", "turquoise", "green", "red", "yellow", "grey", "orange"}
RETURN_PATH_TARGET = "pm.mtasv.net"
EMAIL_RE = re.compile(r"^[^@\s<>\"]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")


class ApiError(Exception):
    def __init__(self, status, code, message):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def redact(value):
    return "REDACTED:" + hashlib.sha256(value.encode()).hexdigest()[:12]


def fake_key():
    """A DKIM-looking 1024-bit RSA public key (random bytes, right length)."""
    der = bytes.fromhex("30819f300d06092a864886f70d010101050003818d0030818902818100")
    der += os.urandom(128) + bytes.fromhex("0203010001")
    return base64.b64encode(der).decode()


def dns_query(server, name, qtype, timeout=2.0):
    """Asks server ("ip:port") for name/qtype over UDP; returns the answer
    strings (TXT joined, CNAME target without the final dot)."""
    host, _, port = server.rpartition(":")
    host = host.strip("[]")
    qid = random.randrange(65536)
    q = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    for label in name.rstrip(".").split("."):
        q += bytes([len(label)]) + label.encode()
    q += b"\0" + struct.pack(">HH", qtype, 1)
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(fam, socket.SOCK_DGRAM) as s:
        s.settimeout(timeout)
        s.sendto(q, (host, int(port)))
        data, _ = s.recvfrom(65535)

    def read_name(off):
        labels, jumped, end = [], False, off
        for _ in range(128):
            n = data[off]
            if n == 0:
                off += 1
                break
            if n & 0xC0 == 0xC0:
                if not jumped:
                    end = off + 2
                off, jumped = ((n & 0x3F) << 8) | data[off + 1], True
                continue
            labels.append(data[off + 1:off + 1 + n].decode(errors="replace"))
            off += 1 + n
        return ".".join(labels), (end if jumped else off)

    rid, flags, qd, an, _, _ = struct.unpack(">HHHHHH", data[:12])
    if rid != qid:
        return []
    off = 12
    for _ in range(qd):
        _, off = read_name(off)
        off += 4
    out = []
    for _ in range(an):
        _, off = read_name(off)
        rtype, _, _, rdlen = struct.unpack(">HHIH", data[off:off + 10])
        off += 10
        rdata = data[off:off + rdlen]
        if rtype == qtype == 16:
            parts, i = [], 0
            while i < len(rdata):
                parts.append(rdata[i + 1:i + 1 + rdata[i]].decode(errors="replace"))
                i += 1 + rdata[i]
            out.append("".join(parts))
        elif rtype == qtype == 5:
            out.append(read_name(off)[0].lower())
        off += rdlen
    return out


def dkim_tags(value):
    tags = {}
    for part in value.replace(" ", "").split(";"):
        if "=" in part:
            k, v = part.split("=", 1)
            tags[k] = v
    return tags


class Account:
    """The simulated Postmark account; every method runs under self.lock."""

    def __init__(self, opts):
        self.opts = opts
        self.lock = threading.RLock()
        self.reset()

    def reset(self):
        self.next_id = 1000
        self.domains, self.senders, self.servers, self.emails = [], [], [], []
        self.requests, self.faults, self.dns = [], [], {}
        self.not_found = self.opts.not_found
        self.pending_approval = self.opts.pending_approval
        self.allow_server_delete = False
        self.fake_time = self.opts.fake_time

    def take_id(self):
        self.next_id += 1
        return self.next_id

    def now(self):
        if self.fake_time is not None:
            return datetime.datetime.fromtimestamp(self.fake_time, datetime.timezone.utc)
        return datetime.datetime.now(datetime.timezone.utc)

    def not_found_error(self, code, what):
        if self.not_found == 404:
            return ApiError(404, code, what + " was not found.")
        return ApiError(422, code, what + " was not found.")

    # ---- domains ----
    def domain_new(self, name, return_path):
        stamp = self.now().strftime("%Y%m%d%H%M%S")
        d = {
            "ID": self.take_id(), "Name": name,
            "SPFVerified": False, "SPFHost": name,
            "SPFTextValue": "v=spf1 a mx include:spf.mtasv.net ~all",
            "DKIMVerified": False, "WeakDKIM": False,
            "DKIMHost": "", "DKIMTextValue": "",
            "DKIMPendingHost": "%spm._domainkey.%s" % (stamp, name),
            "DKIMPendingTextValue": "k=rsa;p=" + fake_key(),
            "DKIMRevokedHost": "", "DKIMRevokedTextValue": "",
            "SafeToRemoveRevokedKeyFromDNS": False,
            "DKIMUpdateStatus": "Pending",
            "ReturnPathDomain": return_path or "",
            "ReturnPathDomainVerified": False,
            "ReturnPathDomainCNAMEValue": RETURN_PATH_TARGET,
        }
        self.domains.append(d)
        return d

    def domain_find(self, ident):
        for d in self.domains:
            if str(d["ID"]) == ident:
                return d
        raise self.not_found_error(510, "This domain")

    @staticmethod
    def domain_summary(d):
        return {k: d[k] for k in ("ID", "Name", "DKIMVerified", "WeakDKIM",
                                  "ReturnPathDomainVerified", "SPFVerified")}

    def check_domain_name(self, name):
        if not name:
            raise ApiError(422, 514, "Domain Name is required.")
        if len(name) > 255:
            raise ApiError(422, 515, "Domain Name must be 255 characters or less.")
        if not re.fullmatch(r"([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z][a-z0-9-]*[a-z0-9]", name):
            raise ApiError(422, 516, "Domain Name is not valid.")

    def check_return_path(self, name, rp):
        if rp and (not rp.endswith("." + name)):
            raise ApiError(422, 511, "Invalid 'ReturnPathDomain': it must be a subdomain "
                           "of your domain.")

    def dns_sees(self, d, what):
        server = self.opts.dns_server
        if not server:
            return bool(self.dns.get(d["Name"], {}).get(what))
        try:
            if what == "DKIM":
                host = d["DKIMPendingHost"] or d["DKIMHost"]
                want = dkim_tags(d["DKIMPendingTextValue"] or d["DKIMTextValue"])
                return any(dkim_tags(t).get("p") == want.get("p")
                           for t in dns_query(server, host, 16))
            return RETURN_PATH_TARGET in dns_query(server, d["ReturnPathDomain"], 5)
        except (OSError, ValueError, IndexError, struct.error):
            return False

    def verify_dkim(self, d):
        if self.dns_sees(d, "DKIM"):
            d["DKIMVerified"] = True
            if d["DKIMPendingHost"]:
                d["DKIMHost"], d["DKIMTextValue"] = d["DKIMPendingHost"], d["DKIMPendingTextValue"]
                d["DKIMPendingHost"], d["DKIMPendingTextValue"] = "", ""
            d["DKIMUpdateStatus"] = "Verified"
        return d

    def verify_return_path(self, d):
        if d["ReturnPathDomain"]:
            d["ReturnPathDomainVerified"] = self.dns_sees(d, "ReturnPath")
        return d

    # ---- senders ----
    def sender_find(self, ident):
        for s in self.senders:
            if str(s["ID"]) == ident:
                return s
        raise self.not_found_error(501, "This sender signature")

    @staticmethod
    def sender_summary(s):
        return {k: s[k] for k in ("ID", "Domain", "EmailAddress", "ReplyToEmailAddress",
                                  "Name", "Confirmed")}

    def sender_new(self, body):
        email, name = body.get("FromEmail"), body.get("Name")
        if not isinstance(email, str) or not isinstance(name, str) or not email or not name:
            raise ApiError(422, 520, "The 'Name' and 'FromEmail' fields are required.")
        if len(email) > 255 or len(name) > 255:
            raise ApiError(422, 521, "The 'Name' or 'FromEmail' field is too long.")
        if not EMAIL_RE.match(email):
            raise ApiError(422, 522, "Invalid 'FromEmail' address.")
        domain = email.rsplit("@", 1)[1].lower()
        if domain in FREEMAIL:
            raise ApiError(422, 503, "You cannot use a public domain like Gmail or Yahoo "
                           "for a Sender Signature.")
        for s in self.senders:
            if s["EmailAddress"].lower() == email.lower():
                raise ApiError(422, 504, "This signature already exists.")
        note = body.get("ConfirmationPersonalNote") or ""
        if not isinstance(note, str) or len(note) > 400:
            raise ApiError(422, 511, "Invalid 'ConfirmationPersonalNote'.")
        s = {
            "ID": self.take_id(), "Domain": domain, "EmailAddress": email,
            "ReplyToEmailAddress": body.get("ReplyToEmail") or "", "Name": name,
            "Confirmed": False, "ConfirmationPersonalNote": note,
            "SPFVerified": False, "DKIMVerified": False, "DKIMHost": "", "DKIMTextValue": "",
            "DKIMPendingHost": "", "DKIMPendingTextValue": "",
            "ReturnPathDomain": body.get("ReturnPathDomain") or "",
            "ReturnPathDomainVerified": False,
            "ReturnPathDomainCNAMEValue": RETURN_PATH_TARGET,
            "Resent": 0,
        }
        self.senders.append(s)
        return s

    # ---- servers ----
    def server_find(self, ident):
        for s in self.servers:
            if str(s["ID"]) == ident:
                return s
        raise self.not_found_error(601, "This server")

    def server_new(self, body):
        name = body.get("Name")
        if not isinstance(name, str) or not name.strip():
            raise ApiError(422, 608, "The server name is missing or invalid.")
        if any(s["Name"].lower() == name.lower() for s in self.servers):
            raise ApiError(422, 603, "This server name already exists.")
        colour = body.get("Color", "Purple")
        if not isinstance(colour, str) or colour.lower() not in COLOURS:
            raise ApiError(422, 607, "Invalid server colour.")
        ident = self.take_id()
        s = {
            "ID": ident, "Name": name,
            "ApiTokens": ["%08x-sim-%d" % (random.getrandbits(32), ident)],
            "Color": colour.lower(), "DeliveryType": body.get("DeliveryType", "Live"),
            "ServerLink": "https://account.postmarkapp.com/servers/%d/streams" % ident,
            "InboundAddress": "%x@inbound.postmarkapp.com" % random.getrandbits(64),
            "TrackOpens": bool(body.get("TrackOpens", False)),
            "TrackLinks": body.get("TrackLinks", "None"),
            "SmtpApiActivated": True, "RawEmailEnabled": False,
        }
        self.servers.append(s)
        return s

    # ---- email ----
    def email_send(self, body):
        sender = body.get("From")
        to = body.get("To")
        if not isinstance(sender, str) or not isinstance(to, str) or not sender or not to:
            raise ApiError(422, 300, "Invalid email request: 'From' and 'To' are required.")
        m = re.search(r"<([^>]*)>", sender)
        address = (m.group(1) if m else sender).strip().lower()
        recipients = [r.strip() for r in to.split(",") if r.strip()]
        if len(recipients) > 50:
            raise ApiError(422, 300, "Invalid 'To' address: too many recipients (at most 50).")
        domain = address.rsplit("@", 1)[-1]
        signature = next((s for s in self.senders if s["EmailAddress"].lower() == address),
                         None)
        verified = any(d["Name"] == domain and d["DKIMVerified"] for d in self.domains)
        if not verified:
            if signature is None:
                raise ApiError(422, 400, "The 'From' address you supplied (%s) is not a "
                               "Sender Signature on your account." % address)
            if not signature["Confirmed"]:
                raise ApiError(422, 401, "The 'From' address you supplied (%s) has not "
                               "been confirmed." % address)
        if self.pending_approval:
            for r in recipients:
                m = re.search(r"<([^>]*)>", r)
                rd = (m.group(1) if m else r).rsplit("@", 1)[-1].lower()
                if rd != domain:
                    raise ApiError(422, 412, "While your account is pending approval, all "
                                   "recipients must share the same domain as the 'From' "
                                   "address.")
        mid = "%08x-%04x-%04x-%04x-%012x" % tuple(random.getrandbits(b)
                                                  for b in (32, 16, 16, 16, 48))
        self.emails.append({"MessageID": mid, "From": sender, "To": to,
                            "Subject": body.get("Subject", "")})
        return {"To": to, "SubmittedAt": self.now().isoformat(), "MessageID": mid,
                "ErrorCode": 0, "Message": "OK"}


def paged(query, items, key, total=None):
    try:
        count = int(query.get("count", [""])[0])
        offset = int(query.get("offset", [""])[0])
    except ValueError:
        raise ApiError(422, 1, "The 'count' and 'offset' query parameters are required.")
    if not 1 <= count <= 500 or offset < 0:
        raise ApiError(422, 1, "'count' must be 1..500 and 'offset' 0 or more.")
    return {"TotalCount": len(items) if total is None else total,
            key: items[offset:offset + count]}


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # Clients that reset or drop a connection are part of the tests.
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "postmark-sim/1"

    def log_message(self, fmt, *args):
        if self.server.opts.verbose:
            sys.stderr.write("sim: " + fmt % args + "\n")

    # ---- plumbing ----
    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def send_json(self, status, obj, raw=None):
        data = raw if raw is not None else json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def reset_connection(self):
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass
        self.close_connection = True

    def hang(self, seconds):
        self.server.stopping.wait(seconds)
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def do_GET(self):
        self.handle_any("GET")

    def do_POST(self):
        self.handle_any("POST")

    def do_PUT(self):
        self.handle_any("PUT")

    def do_DELETE(self):
        self.handle_any("DELETE")

    def handle_any(self, method):
        acct = self.server.account
        raw = self.read_body()
        url = urlsplit(self.path)
        path = url.path.lower().rstrip("/") or "/"
        query = parse_qs(url.query)
        if path.startswith("/__control"):
            try:
                body = json.loads(raw) if raw else {}
                with acct.lock:
                    status, obj = self.control(method, path, body)
            except (ValueError, KeyError, TypeError) as e:
                status, obj = 400, {"ErrorCode": 0, "Message": "bad control request: %s" % e}
            self.send_json(status, obj)
            return
        with acct.lock:
            headers = {}
            for k, v in self.headers.items():
                if k.lower() in ("x-postmark-account-token", "x-postmark-server-token"):
                    v = redact(v)
                headers[k] = v
            acct.requests.append({"Method": method, "Path": self.path, "Headers": headers,
                                  "Body": raw.decode("utf-8", "replace")})
            fault = None
            for f in acct.faults:
                if (f.get("Method") in (None, method)
                        and re.search(f.get("Path") or "", path)):
                    fault = f
                    f["Count"] = f.get("Count", 1) - 1
                    if f["Count"] <= 0:
                        acct.faults.remove(f)
                    break
            if not fault or fault.get("After"):
                status, obj = self.api(method, path, query, raw)
        if fault:
            kind = str(fault.get("Kind"))
            if kind in ("429", "500", "503"):
                code = {"429": 429, "500": 0, "503": 100}[kind]
                self.send_json(int(kind), {"ErrorCode": code, "Message": "Injected fault %s." % kind})
            elif kind == "hang":
                self.hang(float(fault.get("Seconds", 30)))
            elif kind == "reset":
                self.reset_connection()
            elif kind == "malformed":
                self.send_json(200, None, raw=b'{"ID": 12, "Name": "broken", "Domains": [')
            elif kind == "reply":
                self.send_json(int(fault.get("Status", 200)), fault.get("Body", {}))
            return
        self.send_json(status, obj)

    # ---- the API ----
    def api(self, method, path, query, raw):
        acct = self.server.account
        try:
            body = {}
            if raw:
                try:
                    body = json.loads(raw)
                except ValueError:
                    raise ApiError(422, 402, "Received invalid JSON input.")
                if not isinstance(body, dict):
                    raise ApiError(422, 403, "Received incompatible JSON input.")
            if raw and "json" not in (self.headers.get("Content-Type") or ""):
                raise ApiError(415, 409, "JSON data required.")
            if path == "/email":
                tok = self.headers.get("X-Postmark-Server-Token")
                valid = {self.server.opts.server_token}
                valid.update(t for s in acct.servers for t in s["ApiTokens"])
                if not tok or tok not in valid:
                    raise ApiError(401, 10, "Request does not contain a valid Server token.")
                if method != "POST":
                    raise ApiError(405, 0, "Method not allowed.")
                return 200, acct.email_send(body)
            tok = self.headers.get("X-Postmark-Account-Token")
            if not tok or tok != self.server.opts.account_token:
                raise ApiError(401, 10, "Request does not contain a valid Account token.")
            return self.route(method, path, query, body)
        except ApiError as e:
            return e.status, {"ErrorCode": e.code, "Message": e.message}

    def route(self, method, path, query, body):
        acct = self.server.account
        parts = path.strip("/").split("/")
        res, ident, action = (parts + [None, None, None])[:3]
        if res == "domains":
            if ident is None and method == "GET":
                return 200, paged(query, [acct.domain_summary(d) for d in acct.domains],
                                  "Domains")
            if ident is None and method == "POST":
                name = body.get("Name")
                name = name.lower() if isinstance(name, str) else ""
                acct.check_domain_name(name)
                rp = (body.get("ReturnPathDomain") or "").lower()
                acct.check_return_path(name, rp)
                if any(d["Name"] == name for d in acct.domains):
                    raise ApiError(422, 512, "This domain already exists.")
                return 200, acct.domain_new(name, rp)
            d = acct.domain_find(ident)
            if action is None and method == "GET":
                return 200, d
            if action is None and method == "PUT":
                rp = (body.get("ReturnPathDomain") or "").lower()
                acct.check_return_path(d["Name"], rp)
                if rp != d["ReturnPathDomain"]:
                    d["ReturnPathDomain"], d["ReturnPathDomainVerified"] = rp, False
                return 200, d
            if action is None and method == "DELETE":
                acct.domains.remove(d)
                return 200, {"ErrorCode": 0, "Message": "Domain %s removed." % d["Name"]}
            if action == "verifydkim" and method == "PUT":
                return 200, acct.verify_dkim(d)
            if action == "verifyreturnpath" and method == "PUT":
                return 200, acct.verify_return_path(d)
            if action == "rotatedkim" and method == "POST":
                if d["DKIMPendingHost"]:
                    raise ApiError(422, 505, "DKIM is already being renewed.")
                stamp = acct.now().strftime("%Y%m%d%H%M%S")
                d["DKIMPendingHost"] = "%spm._domainkey.%s" % (stamp, d["Name"])
                d["DKIMPendingTextValue"] = "k=rsa;p=" + fake_key()
                d["DKIMUpdateStatus"] = "Pending"
                return 200, {k: d[k] for k in d if k.startswith("DKIM") or k in ("ID", "Name")}
        elif res == "senders":
            if ident is None and method == "GET":
                return 200, paged(query, [acct.sender_summary(s) for s in acct.senders],
                                  "SenderSignatures")
            if ident is None and method == "POST":
                return 200, acct.sender_new(body)
            s = acct.sender_find(ident)
            if action is None and method == "GET":
                return 200, s
            if action is None and method == "PUT":
                if not isinstance(body.get("Name"), str) or not body["Name"]:
                    raise ApiError(422, 520, "The 'Name' field is required.")
                if len(body["Name"]) > 255:
                    raise ApiError(422, 521, "The 'Name' field is too long.")
                s["Name"] = body["Name"]
                if isinstance(body.get("ReplyToEmail"), str):
                    s["ReplyToEmailAddress"] = body["ReplyToEmail"]
                return 200, s
            if action is None and method == "DELETE":
                acct.senders.remove(s)
                return 200, {"ErrorCode": 0,
                             "Message": "Signature %s removed." % s["EmailAddress"]}
            if action == "resend" and method == "POST":
                if s["Confirmed"]:
                    raise ApiError(422, 506, "This signature has already been confirmed.")
                s["Resent"] += 1
                return 200, {"ErrorCode": 0, "Message": "Confirmation email for Sender "
                             "Signature %s was re-sent." % s["EmailAddress"]}
        elif res == "servers":
            if ident is None and method == "GET":
                name = (query.get("name", [""])[0]).lower()
                items = [s for s in acct.servers if name in s["Name"].lower()]
                return 200, paged(query, items, "Servers")
            if ident is None and method == "POST":
                return 200, acct.server_new(body)
            s = acct.server_find(ident)
            if action is None and method == "GET":
                return 200, s
            if action is None and method == "PUT":
                if isinstance(body.get("Name"), str) and body["Name"] != s["Name"]:
                    if any(o["Name"].lower() == body["Name"].lower() for o in acct.servers):
                        raise ApiError(422, 603, "This server name already exists.")
                    s["Name"] = body["Name"]
                return 200, s
            if action is None and method == "DELETE":
                if not acct.allow_server_delete:
                    raise ApiError(422, 604, "Server deletion is not allowed for this account.")
                acct.servers.remove(s)
                return 200, {"ErrorCode": 0, "Message": "Server %s removed." % s["Name"]}
        raise ApiError(404, 0, "Not found: %s %s" % (method, path))

    # ---- control ----
    def control(self, method, path, body):
        acct = self.server.account
        what = path[len("/__control"):].strip("/")
        if what == "requests" and method == "GET":
            return 200, acct.requests
        if what == "requests" and method == "DELETE":
            acct.requests = []
            return 200, {"ok": True}
        if what == "state" and method == "GET":
            return 200, {"Domains": acct.domains, "SenderSignatures": acct.senders,
                         "Servers": acct.servers, "Emails": acct.emails}
        if what == "reset" and method == "POST":
            acct.reset()
            return 200, {"ok": True}
        if what == "options" and method == "POST":
            if "NotFound" in body:
                acct.not_found = int(body["NotFound"])
            if "PendingApproval" in body:
                acct.pending_approval = bool(body["PendingApproval"])
            if "AllowServerDelete" in body:
                acct.allow_server_delete = bool(body["AllowServerDelete"])
            return 200, {"ok": True}
        if what == "dns" and method == "POST":
            acct.dns[str(body["Domain"]).lower()] = {"DKIM": bool(body.get("DKIM")),
                                                     "ReturnPath": bool(body.get("ReturnPath"))}
            return 200, {"ok": True}
        if what == "confirm" and method == "POST":
            for s in acct.senders:
                if (str(s["ID"]) == str(body.get("ID"))
                        or s["EmailAddress"].lower() == str(body.get("EmailAddress")).lower()):
                    s["Confirmed"] = True
                    return 200, s
            return 404, {"ErrorCode": 501, "Message": "no such signature"}
        if what == "domains" and method == "POST":
            name, count = str(body["Name"]).lower(), int(body.get("Count", 1))
            made = []
            for i in range(count):
                n = name if count == 1 else name.replace(".", "%d." % (i + 1), 1)
                made.append(acct.domain_new(n, "pm-bounces." + n)["ID"])
            return 200, {"IDs": made}
        if what == "faults" and method == "POST":
            f = dict(body)
            f["Kind"] = str(f["Kind"])
            if f["Kind"] not in ("429", "500", "503", "hang", "malformed", "reset", "reply"):
                return 400, {"ErrorCode": 0, "Message": "unknown fault kind"}
            f["Count"] = int(f.get("Count", 1))
            if f.get("Path"):
                re.compile(f["Path"])
            acct.faults.append(f)
            return 200, {"ok": True}
        if what == "faults" and method == "GET":
            return 200, acct.faults
        if what == "faults" and method == "DELETE":
            acct.faults = []
            return 200, {"ok": True}
        return 404, {"ErrorCode": 0, "Message": "unknown control request"}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    ap.add_argument("--account-token", default="sim-account-token")
    ap.add_argument("--server-token", default="sim-server-token")
    ap.add_argument("--not-found", type=int, choices=(404, 422), default=422)
    ap.add_argument("--pending-approval", action="store_true")
    ap.add_argument("--fake-time", type=int)
    ap.add_argument("--dns-server", help="IP:PORT asked by verifyDkim/verifyReturnPath")
    ap.add_argument("--verbose", action="store_true")
    opts = ap.parse_args()

    server = Server(("127.0.0.1", opts.port), Handler)
    server.opts = opts
    server.account = Account(opts)
    server.stopping = threading.Event()
    port = server.server_address[1]
    if opts.port_file:
        tmp = opts.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % port)
        os.rename(tmp, opts.port_file)
    else:
        print(port, flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.stopping.set()
        server.server_close()


if __name__ == "__main__":
    import signal
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt))
    main()
