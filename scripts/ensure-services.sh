#!/usr/bin/env bash
# Start what the tests need when it is not running: Redis (started here if absent) and Debian's
# Chromium (installed with apt when missing). PostgreSQL must be reachable at POSTGRES_TEST_URL.
set -euo pipefail
cd "$(dirname "$0")/.."

REDIS_TEST_URL=${REDIS_TEST_URL:-redis://127.0.0.1:6379/15}
redis_port=$(python3 -c "import urllib.parse,sys; print(urllib.parse.urlsplit(sys.argv[1]).port or 6379)" "$REDIS_TEST_URL")

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi; }
apt_install() {
  command -v apt-get >/dev/null || return 1
  as_root apt-get update -qq >/dev/null 2>&1 || true
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

redis_up() { .venv/bin/python - "$REDIS_TEST_URL" <<'PY'
import sys, redis
try:
    redis.Redis.from_url(sys.argv[1], socket_connect_timeout=1).ping()
except Exception:
    sys.exit(1)
PY
}

if redis_up; then
  echo "redis: answering at $REDIS_TEST_URL"
else
  if ! command -v redis-server >/dev/null; then
    echo "redis: not installed; installing Debian's redis-server"
    apt_install redis-server || { echo "Cannot install Redis: install redis-server (apt-get install redis-server) and rerun."; exit 1; }
  fi
  mkdir -p .run
  redis-server --daemonize yes --bind 127.0.0.1 --port "$redis_port" --save "" --appendonly no \
    --pidfile "$PWD/.run/redis.pid" --logfile "$PWD/.run/redis.log"
  for _ in $(seq 1 50); do redis_up && break; sleep 0.1; done
  redis_up || { echo "redis: started but not answering; see .run/redis.log"; exit 1; }
  echo "redis: started on 127.0.0.1:$redis_port"
fi

if [ -x /usr/bin/chromium ]; then
  echo "chromium: $(/usr/bin/chromium --version 2>/dev/null | head -n1)"
else
  echo "chromium: missing; installing Debian's chromium"
  apt_install chromium || { echo "Cannot install Chromium: run 'apt-get install -y chromium' as root and rerun."; exit 1; }
fi

POSTGRES_TEST_URL=${POSTGRES_TEST_URL:-postgres://postgres@127.0.0.1:5432/test}
if .venv/bin/python -c "import psycopg,sys; psycopg.connect(sys.argv[1], connect_timeout=2).close()" "$POSTGRES_TEST_URL" 2>/dev/null; then
  echo "postgres: answering at $POSTGRES_TEST_URL"
elif [ "${CI:-}" = "true" ]; then
  echo "postgres: not reachable at $POSTGRES_TEST_URL (required in CI)"; exit 1
else
  echo "postgres: not reachable at $POSTGRES_TEST_URL; PostgreSQL tests will be skipped (set POSTGRES_TEST_URL)"
fi
