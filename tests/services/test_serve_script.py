"""scripts/serve.sh sets up .venv/ only when something is missing or pyproject.toml changed, so a restart needs
neither time nor a package index. Run on a copy of the script in a scratch tree whose setup.sh only records that
it ran, and whose chipcontrol only echoes its arguments."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).parents[2]


def _tree(tmp: Path) -> Path:
    (tmp / "scripts").mkdir()
    shutil.copy(ROOT / "scripts" / "serve.sh", tmp / "scripts" / "serve.sh")
    (tmp / "scripts" / "setup.sh").write_text(
        "set -e\nmkdir -p .venv/bin\necho ran >> setup.log\n"
        "printf '#!/bin/sh\\necho serve \"$@\"\\n' > .venv/bin/chipcontrol\nchmod +x .venv/bin/chipcontrol\n")
    (tmp / "pyproject.toml").write_text('[project]\nname = "x"\n')
    return tmp


def _serve(tree: Path) -> str:
    proc = subprocess.run(["bash", "scripts/serve.sh", "--port", "9"], cwd=tree, capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_installs_once_then_only_when_pyproject_changes(tmp_path: Path) -> None:
    tree = _tree(tmp_path)
    assert "serve serve --port 9" in _serve(tree)
    _serve(tree)
    _serve(tree)
    assert (tree / "setup.log").read_text().count("ran") == 1, "a restart reinstalled"
    (tree / "pyproject.toml").write_text('[project]\nname = "x"\ndependencies = ["y"]\n')
    _serve(tree)
    assert (tree / "setup.log").read_text().count("ran") == 2, "a changed pyproject.toml was not installed"
    (tree / ".venv" / "bin" / "chipcontrol").unlink()
    _serve(tree)
    assert (tree / "setup.log").read_text().count("ran") == 3, "a missing chipcontrol command was not installed"
