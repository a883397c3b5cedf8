#!/usr/bin/env bash
# System packages the test suite uses, installed with apt when missing (CI and developer machines run
# as root; elsewhere, say what to install). PostgreSQL is handled by with-postgres.sh; Redis is installed
# here (and by with-redis.sh, which starts a throw-away server for a run).
set -euo pipefail
need=()
command -v msgfmt >/dev/null || need+=(gettext)   # the translation catalogues (tests/web/test_i18n_catalogues.py)
{ command -v pdftotext && command -v pdfsig; } >/dev/null || need+=(poppler-utils)  # pdfsig: signed PDFs (PAdES)
[ -x /usr/bin/chromium ] || need+=(chromium)   # browser tests: Playwright drives Debian's Chromium
command -v redis-server >/dev/null || need+=(redis-server)   # tasks, cache and rate limits on Redis
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "system-deps: installing ${need[*]}" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
else
  echo "system-deps: please install: ${need[*]}" >&2
  exit 1
fi
