#!/usr/bin/env bash
# Sets up everything on a fresh machine, then runs every check: ruff, mypy --strict, import-linter and the whole
# test suite (including PostgreSQL store tests and headless-Chromium browser tests). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system_deps.sh          # Debian chromium, postgresql, a Java runtime (Spark) when missing
bash scripts/setup.sh                # .venv/ with chipcontrol and the development tools
eval "$(bash scripts/ci_services.sh)" # a throwaway PostgreSQL on 127.0.0.1: exports CHIPCONTROL_TEST_POSTGRES_URL
trap 'bash scripts/ci_services.sh stop' EXIT
echo "== ruff";          .venv/bin/ruff check .
echo "== mypy --strict"; .venv/bin/mypy
echo "== import-linter"; .venv/bin/lint-imports
echo "== pytest";        .venv/bin/python -m pytest -n 2 "$@"
