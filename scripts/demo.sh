#!/usr/bin/env bash
# Sets up, then runs the main job: a short demonstration of the engine.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/chipcontrol demo
