"""The OpenAPI document is a contract: any change to it must be deliberate. To accept a change, run
``CHIPCONTROL_UPDATE_SNAPSHOTS=1 pytest tests/api/test_openapi_snapshot.py`` and commit the snapshot."""

from __future__ import annotations

import json
import os
from pathlib import Path

from chipcontrol.asgi import create_app
from chipcontrol.settings import Settings

SNAPSHOT = Path(__file__).parent / "openapi.snapshot.json"


def _document(tmp_path: Path) -> str:
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'o.db'}"), warm=False)
    return json.dumps(app.openapi(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def test_openapi_matches_the_snapshot(tmp_path: Path) -> None:
    doc = _document(tmp_path)
    if os.environ.get("CHIPCONTROL_UPDATE_SNAPSHOTS"):
        SNAPSHOT.write_text(doc, encoding="utf-8")
    assert SNAPSHOT.exists(), "no snapshot yet: run with CHIPCONTROL_UPDATE_SNAPSHOTS=1"
    assert doc == SNAPSHOT.read_text(encoding="utf-8"), (
        "the OpenAPI document changed; if intended, run with CHIPCONTROL_UPDATE_SNAPSHOTS=1 and commit the snapshot")


def test_every_operation_documents_the_error_envelope(tmp_path: Path) -> None:
    doc = json.loads(_document(tmp_path))
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            if path == "/api/health":
                continue
            for status in ("400", "401", "403", "422"):
                ref = op["responses"][status]["content"]["application/json"]["schema"]["$ref"]
                assert ref.endswith("/ErrorEnvelope"), (method, path, status)
    assert doc["components"]["securitySchemes"].keys() == {"HTTPBearer", "APIKeyHeader"}
