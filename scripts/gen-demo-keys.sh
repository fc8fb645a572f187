#!/usr/bin/env bash
# Generates the pool of real 1024-bit RSA public keys the demo ESP hands out
# as DKIM values (assets/demo/dkim-keys.txt, one base64 SubjectPublicKeyInfo
# per line).  The private keys are thrown away: the demo never signs.
# Run once and commit the result; running again changes every demo selector's
# key, so golden screens would need review.
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-16}
out=assets/demo/dkim-keys.txt
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
: >"$tmp/keys.txt"
for ((i = 0; i < count; i++)); do
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out "$tmp/key.pem" 2>/dev/null
  openssl pkey -in "$tmp/key.pem" -pubout -outform DER -out "$tmp/pub.der"
  base64 -w0 "$tmp/pub.der" >>"$tmp/keys.txt"
  echo >>"$tmp/keys.txt"
done
mkdir -p "$(dirname "$out")"
mv "$tmp/keys.txt" "$out"
echo "wrote $count keys to $out" >&2
