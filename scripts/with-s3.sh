#!/usr/bin/env bash
# Run a command against a throw-away S3-compatible server: moto's standalone server (`moto[server]`, the dev
# extra) on a free loopback port, with one bucket; exports CREDSTACK_STORAGE_URL and the AWS credentials,
# runs "$@", then stops the server (its objects live in its memory: nothing is left behind).
# Finds `moto_server` in $MOTO_SERVER, beside the command's own Python (a virtualenv's bin/), beside this
# checkout's .venv, or on PATH.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
find_moto() {
  [ -n "${MOTO_SERVER:-}" ] && [ -x "$MOTO_SERVER" ] && { echo "$MOTO_SERVER"; return 0; }
  local first=${1:-}
  for candidate in "$(dirname "$(command -v "$first" 2>/dev/null || echo /nonexistent/x)")/moto_server" \
                   "$here/.venv/bin/moto_server" "$(command -v moto_server 2>/dev/null || true)"; do
    [ -n "$candidate" ] && [ -x "$candidate" ] && { echo "$candidate"; return 0; }
  done
  return 1
}

MOTO=$(find_moto "${1:-}" || true)
if [ -z "$MOTO" ]; then
  echo "with-s3: no moto_server; install the dev extra (pip install -e '.[dev]': moto[server])" >&2
  exit 1
fi
PY="$(dirname "$MOTO")/python"
[ -x "$PY" ] || PY=python3

PORT=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
LOG=$(mktemp /tmp/credstack-s3.XXXXXX.log)
"$MOTO" -H 127.0.0.1 -p "$PORT" >"$LOG" 2>&1 &
MOTO_PID=$!
cleanup() {
  kill "$MOTO_PID" 2>/dev/null || true
  wait "$MOTO_PID" 2>/dev/null || true
  rm -f "$LOG"
}
trap cleanup EXIT

BUCKET=${CREDSTACK_S3_BUCKET:-credstack-test}
ENDPOINT="http://127.0.0.1:$PORT"
# wait for it to answer (a few seconds at most), then create the bucket
"$PY" - "$ENDPOINT" "$BUCKET" <<'EOF' || { cat "$LOG" >&2; exit 1; }
import sys, time, urllib.request
endpoint, bucket = sys.argv[1], sys.argv[2]
for _ in range(150):
    try:
        urllib.request.urlopen(endpoint + "/moto-api/", timeout=1).close()
        break
    except OSError:
        time.sleep(0.1)
else:
    sys.exit("with-s3: moto_server did not start")
urllib.request.urlopen(urllib.request.Request(f"{endpoint}/{bucket}", method="PUT"), timeout=5).close()
EOF

export AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-testing}
export AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-testing}
export AWS_DEFAULT_REGION=${AWS_DEFAULT_REGION:-us-east-1}
export CREDSTACK_STORAGE_URL="s3://$BUCKET?endpoint_url=$ENDPOINT&region=$AWS_DEFAULT_REGION"
echo "with-s3: moto S3 server on port $PORT, bucket $BUCKET" >&2
"$@"
