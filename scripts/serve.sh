#!/usr/bin/env bash
# Starts the main job: the service (REST API + web UI) on an embedded SQLite file. Sets up .venv/ first only when
# something is missing or changed: no .venv/bin/chipcontrol, or pyproject.toml differs from the one last installed
# (its SHA-256 is kept in .venv/.chipcontrol-installed); a restart needs no package index.
# Settings from CHIPCONTROL_* variables (CHIPCONTROL_DATABASE_URL, default sqlite:///chipcontrol.db). Extra
# arguments go to `chipcontrol serve` (e.g. --host 0.0.0.0 --port 8080).
set -euo pipefail
cd "$(dirname "$0")/.."
STAMP=.venv/.chipcontrol-installed
want="$(sha256sum pyproject.toml | cut -d' ' -f1)"
if [ ! -x .venv/bin/chipcontrol ] || [ "$(cat "$STAMP" 2>/dev/null)" != "$want" ]; then
  bash scripts/setup.sh
  echo "$want" > "$STAMP"
fi
exec .venv/bin/chipcontrol serve "$@"
