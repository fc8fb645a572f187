#!/usr/bin/env bash
# Installs the npm packages the tests use (tests/webhooks: the official
# standardwebhooks package, for the receiver that verifies `behalf
# deliver`), from the lock file; quick when already there.
set -euo pipefail
cd "$(dirname "$0")/../tests/webhooks"
# Debian's nodejs comes without npm (other builds of nodejs bring their own)
if ! command -v npm >/dev/null 2>&1; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends npm >/dev/null
fi
if [ ! -d node_modules/standardwebhooks ]; then
  echo "behalf: npm ci in tests/webhooks" >&2
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
fi
