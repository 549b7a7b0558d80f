#!/usr/bin/env bash
# Create (or complete) .venv-bench: the separate virtualenv in which the screening benchmarks run
# nomenklatura's logic-v2 side by side with ours. nomenklatura is never a dependency of chipcontrol;
# the rest is what chipcontrol.screening itself imports (the benchmarks load it from src/).
#
#   bash benchmarks/screening_bench_venv.sh
#   .venv-bench/bin/python benchmarks/screening_accuracy.py
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv-bench/bin/python ]; then
    python3 -m venv .venv-bench
fi
.venv-bench/bin/pip install --quiet --disable-pip-version-check \
    "nomenklatura==4.17.4" \
    "rapidfuzz>=3.6" "pypinyin>=0.51" "jieba>=0.42" "opencc>=1.1.6" "unidecode>=1.3" \
    "pycountry>=24" "pyyaml>=6.0" "pydantic>=2.7,<3"
.venv-bench/bin/python -c "import nomenklatura, jieba, opencc, pypinyin; print('.venv-bench ready')"
