"""One table of error codes (``api.errors.DOCUMENTED``) holds the API, its OpenAPI document and docs/service.md
together: every code the API can answer is documented under its status, and every documented code can be
answered. A new error class fails this test until it is documented (or named below as one the API never sends)."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import chipcontrol
from chipcontrol.api.errors import DOCUMENTED, HTTP_CODES, STATUS, status_for
from chipcontrol.errors import ChipControlError
from chipcontrol.services import ledger

DOCS = Path(__file__).parents[2] / "docs" / "service.md"
# codes of errors the REST API never answers with (CLI-only or internal), with why
NOT_FROM_THE_API = {
    "error": "the abstract base class",
    "regulation_data": "a bug in the bundled data: answered as 500 internal",
    "store": "the database is unreachable: 503, logged",
    "batch": "batch files are a CLI command (chipcontrol batch)",
    "invalid_scenario": "policy-lab scenarios: the CLI and the web lab page, no API route",
}


def _all_error_codes() -> dict[str, type[ChipControlError]]:
    for mod in pkgutil.walk_packages(chipcontrol.__path__, "chipcontrol."):
        if ".migrations" in mod.name or mod.name.endswith("__main__"):
            continue
        try:
            importlib.import_module(mod.name)
        except ImportError:  # an optional extra (e.g. pyspark) not installed
            continue
    out: dict[str, type[ChipControlError]] = {}
    todo = [ChipControlError]
    while todo:
        cls = todo.pop()
        out.setdefault(str(cls.code), cls)
        todo.extend(cls.__subclasses__())
    return out


def test_every_code_the_api_can_answer_is_documented_and_every_documented_code_is_answerable() -> None:
    documented = {code for codes in DOCUMENTED.values() for code in codes}
    raised = set(_all_error_codes()) | set(ledger.REFUSAL_CODES)
    http = {HTTP_CODES[s] for s in (400, 401, 403, 404, 405, 413, 415)} | {"invalid_request", "internal"}
    undocumented = raised - documented - set(NOT_FROM_THE_API)
    assert not undocumented, f"error codes the API can answer but does not document: {sorted(undocumented)}"
    unused = documented - raised - http
    assert not unused, f"documented error codes nothing raises: {sorted(unused)}"


def test_each_code_has_the_status_it_is_documented_under() -> None:
    for status, codes in DOCUMENTED.items():
        for code in codes:
            if code in STATUS:
                assert STATUS[code] == status, code
    for code, cls in _all_error_codes().items():
        if code in NOT_FROM_THE_API or code in ("invalid_request",):
            continue
        if cls.__init__ is ChipControlError.__init__:
            assert code in DOCUMENTED[status_for(cls("x"))], (code, status_for(cls("x")))


def test_docs_list_every_code() -> None:
    text = DOCS.read_text("utf-8")
    missing = [code for codes in DOCUMENTED.values() for code in codes if f"`{code}`" not in text]
    assert not missing, f"docs/service.md does not list: {missing}"
