#!/usr/bin/env bash
# One measurement run on a machine with an NVIDIA GPU (docs/measure.md): GPU 0 against its catalogue entry.
# Creates .venv-measure/ with chipcontrol and the 'measure' extra (PyTorch), then writes under ${OUT:-docs/examples}:
#   <chip>.cuda.json   the report (stdout of --format json), e.g. nvidia-h200-sxm-141gb.cuda.json
#   <chip>.cuda.html   the readable report
#   measure-audit.db   the audit log holding the report's hash (unless CHIPCONTROL_DATABASE_URL is set)
# and prints the measured/declared ratios. The venv sees system packages, so a PyTorch already installed with the
# machine's CUDA is used as is; offline, point pip at a wheelhouse (PIP_NO_INDEX=1 PIP_FIND_LINKS=/path/to/wheels).
# Settings: CHIP (default "NVIDIA H200 SXM 141GB"), DEVICE (cuda), ON (classification date, default today),
# QUICK=1 (the quick plan), VENV (.venv-measure), PYTHON (python3).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-docs/examples}
CHIP=${CHIP:-"NVIDIA H200 SXM 141GB"}
DEVICE=${DEVICE:-cuda}
VENV=${VENV:-.venv-measure}
PY=${PYTHON:-python3}

if [ ! -x "$VENV/bin/python" ]; then
  "$PY" -m venv --system-site-packages "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e ".[measure]"
"$VENV/bin/python" -c "import torch, sys; sys.stderr.write(f'torch {torch.__version__}, CUDA {torch.version.cuda}, '
                                                           f'available: {torch.cuda.is_available()}\n')"
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm \
  --format=csv >&2 || true

mkdir -p "$OUT"
export CHIPCONTROL_DATABASE_URL=${CHIPCONTROL_DATABASE_URL:-sqlite:///$OUT/measure-audit.db}
slug=$(printf '%s' "$CHIP" | tr '[:upper:]' '[:lower:]' | tr -cs 'a-z0-9' '-' | sed 's/-*$//').${DEVICE%%:*}
args=(measure --device "$DEVICE" "$CHIP" --format json --report "$OUT/$slug.html")
[ -n "${ON:-}" ] && args+=(--on "$ON")
[ "${QUICK:-0}" = 1 ] && args+=(--quick)

"$VENV/bin/chipcontrol" "${args[@]}" > "$OUT/$slug.json.tmp"
mv "$OUT/$slug.json.tmp" "$OUT/$slug.json"
"$VENV/bin/chipcontrol" audit verify

"$VENV/bin/python" - "$OUT/$slug.json" <<'PY'
import json, sys

r = json.load(open(sys.argv[1], encoding="utf-8"))
dev = r["measurement"]["device"]
print(f"{dev['name']} (cc {dev.get('compute_capability')}, driver {dev.get('driver_version')}, "
      f"id {dev.get('stable_id')})")
for row in (r.get("comparison") or {}).get("rows", []):
    ratio = "—" if row["ratio"] is None else f"{row['ratio']:.3f}"
    print(f"  {row['figure']:<17} declared {row['declared']!s:>10}  measured {row['measured']!s:>10}  "
          f"ratio {ratio:>6}  {row['status']}")
c = r["classification"]
print(f"verdict {r['comparison']['verdict'] if r['comparison'] else 'no declared figures'}; measured spec on "
      f"{c['as_of']}: {c['measured']['paragraph'] or 'not 3A090/4A090'}; measured TPP {r['measured']['tpp']:.6g}; "
      f"report sha256 {r['audit']['report_sha256']} (audit #{r['audit']['seq']})")
PY
