#!/usr/bin/env bash
# Sets up .venv/, then runs the main job: the service (REST API + web UI) on an embedded SQLite file.
# Settings from CHIPCONTROL_* variables (CHIPCONTROL_DATABASE_URL, default sqlite:///chipcontrol.db). Extra
# arguments go to `chipcontrol serve` (e.g. --host 0.0.0.0 --port 8080).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/chipcontrol serve "$@"
