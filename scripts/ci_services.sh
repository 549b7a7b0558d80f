#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server on 127.0.0.1 for the store, API and web tests, and prints the line to
# export (nothing else goes to stdout):
#
#   eval "$(bash scripts/ci_services.sh)"      # exports CHIPCONTROL_TEST_POSTGRES_URL
#   bash scripts/ci_services.sh stop           # stops it and removes its data
#
# Needs the PostgreSQL server binaries (Debian: apt-get install -y postgresql). As root, the server runs as the
# 'postgres' user (PostgreSQL refuses to run as root). Settings: CHIPCONTROL_PG_DIR (default
# /tmp/chipcontrol-pg), CHIPCONTROL_PG_PORT (default 55432). Durability is off (fsync=off): test data only.
set -euo pipefail

DIR="${CHIPCONTROL_PG_DIR:-/tmp/chipcontrol-pg}"
PORT="${CHIPCONTROL_PG_PORT:-55432}"

find_bin() {
  local name="$1" found
  for found in /usr/lib/postgresql/*/bin/"$name"; do :; done  # the last (highest) version installed
  if [[ -x "${found:-}" ]]; then echo "$found"; return; fi
  if command -v "$name" >/dev/null 2>&1; then command -v "$name"; return; fi
  echo "ci_services.sh: $name not found; install PostgreSQL (apt-get install -y postgresql)" >&2
  exit 1
}

PG_CTL="$(find_bin pg_ctl)"
INITDB="$(find_bin initdb)"

as_owner() {
  if [[ "$(id -u)" == "0" ]]; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir "$DIR" --shell /bin/sh postgres
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

if [[ "${1:-start}" == "stop" ]]; then
  if [[ -d "$DIR/data" ]]; then as_owner "$PG_CTL" -D "$DIR/data" -m fast -w stop >&2 || true; fi
  rm -rf "$DIR"
  exit 0
fi

mkdir -p "$DIR"
if [[ "$(id -u)" == "0" ]]; then
  id postgres >/dev/null 2>&1 || useradd --system --home-dir "$DIR" --shell /bin/sh postgres
  chown postgres "$DIR"
fi
if [[ ! -f "$DIR/data/PG_VERSION" ]]; then
  as_owner "$INITDB" -D "$DIR/data" -U postgres --auth=trust -E UTF8 --no-locale >"$DIR/initdb.log" 2>&1 \
    || { cat "$DIR/initdb.log" >&2; exit 1; }
fi
if ! as_owner "$PG_CTL" -D "$DIR/data" status >/dev/null 2>&1; then
  as_owner "$PG_CTL" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 start \
    -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DIR -c max_connections=300 -c fsync=off \
        -c synchronous_commit=off -c full_page_writes=off" >&2 \
    || { cat "$DIR/server.log" >&2; exit 1; }
fi
echo "ci_services.sh: PostgreSQL $("$PG_CTL" --version | awk '{print $3}') on 127.0.0.1:$PORT ($DIR)" >&2
echo "export CHIPCONTROL_TEST_POSTGRES_URL=postgresql://postgres@127.0.0.1:$PORT/postgres"
