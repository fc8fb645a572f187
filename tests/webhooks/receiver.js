// The vendor's side in the tests: an HTTP server on loopback that verifies
// every delivery of `behalf deliver` with the official Standard Webhooks
// package, as a vendor would.
//
//   node receiver.js --secret-file F --port-file F --log F --rejects F
//                    [--port N] [--hold-first F] [--refuse-customer ID]
//
// Verified deliveries are appended to --log (one JSON a line: id, type,
// customer, n, and whether the same request with a tampered body and with
// another secret was refused), answered 204; refused ones to --rejects
// (id, reason), answered 400.  --hold-first: the first verified request is
// never answered (its id written to F), as a receiver that hangs while
// deliver is killed.  --refuse-customer: that customer's events are
// answered 503 (verified, not logged), as a backend failing for one
// customer.  The port is written to --port-file once listening.
"use strict";
const fs = require("fs");
const http = require("http");
const crypto = require("crypto");
const { Webhook } = require("standardwebhooks");

const args = {};
for (let i = 2; i < process.argv.length; i += 2)
  args[process.argv[i].replace(/^--/, "")] = process.argv[i + 1];

const secret = fs.readFileSync(args["secret-file"], "utf8").trim();
const wh = new Webhook(secret);
const other = new Webhook("whsec_" + crypto.randomBytes(24).toString("base64"));
let held = false;

function refused(fn) {
  try {
    fn();
    return false;
  } catch (e) {
    return true;
  }
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    const body = Buffer.concat(chunks).toString("utf8");
    const headers = {
      "webhook-id": req.headers["webhook-id"],
      "webhook-timestamp": req.headers["webhook-timestamp"],
      "webhook-signature": req.headers["webhook-signature"],
    };
    let event;
    try {
      event = wh.verify(body, headers);
    } catch (e) {
      fs.appendFileSync(args.rejects,
        JSON.stringify({ id: headers["webhook-id"], reason: e.message }) + "\n");
      res.writeHead(400);
      res.end();
      return;
    }
    if (args["refuse-customer"] && event.data && event.data.customer === args["refuse-customer"]) {
      res.writeHead(503);
      res.end();
      return;
    }
    if (args["hold-first"] && !held) {
      held = true;
      fs.writeFileSync(args["hold-first"], headers["webhook-id"] + "\n");
      return; // never answered
    }
    const tampered = body.replace(/"customer":"/, '"customer":"x');
    fs.appendFileSync(args.log, JSON.stringify({
      id: headers["webhook-id"],
      type: event.type,
      customer: event.data && event.data.customer,
      n: event.data && event.data.n,
      subject: event.data && event.data.subject,
      timestamp: event.timestamp,
      tamper_refused: tampered !== body && refused(() => wh.verify(tampered, headers)),
      other_secret_refused: refused(() => other.verify(body, headers)),
    }) + "\n");
    res.writeHead(204);
    res.end();
  });
});

server.listen(Number(args.port || 0), "127.0.0.1", () => {
  const tmp = args["port-file"] + ".tmp";
  fs.writeFileSync(tmp, String(server.address().port));
  fs.renameSync(tmp, args["port-file"]);
});
for (const sig of ["SIGTERM", "SIGINT"])
  process.on(sig, () => process.exit(0));
