#!/usr/bin/env bash
# Run a command against a throw-away Redis server: start redis-server on a free loopback port with its
# files in a temporary folder (no persistence), export REDIS_URL, run "$@", then stop it and remove the folder.
# Installs the server with apt when it is missing (as root). Nests with with-postgres.sh:
#   scripts/with-postgres.sh scripts/with-redis.sh pytest tests/multinode
set -euo pipefail

if ! command -v redis-server >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "with-redis: installing the Redis server (apt)" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
  else
    echo "with-redis: no redis-server; install Redis 6+ (Debian: apt-get install redis-server)" >&2
    exit 1
  fi
fi

TMP=$(mktemp -d /tmp/credstack-redis.XXXXXX)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
PID=""
cleanup() {
  [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT

redis-server --bind 127.0.0.1 --port "$PORT" --dir "$TMP" --save "" --appendonly no \
  --protected-mode yes --daemonize no --loglevel warning --logfile "$TMP/redis.log" &
PID=$!
for _ in $(seq 1 100); do
  redis-cli -h 127.0.0.1 -p "$PORT" ping >/dev/null 2>&1 && break
  kill -0 "$PID" 2>/dev/null || { echo "with-redis: redis-server did not start:" >&2; cat "$TMP/redis.log" >&2; exit 1; }
  sleep 0.05
done
export REDIS_URL="redis://127.0.0.1:$PORT/0"
echo "with-redis: Redis $(redis-server --version | awk '{print $3}' | sed 's/v=//') on port $PORT" >&2
"$@"
