"""Property-based tests of the whole API from its OpenAPI document (schemathesis): whatever the generated input,
no 5xx, every response matches the document (status code, content type, schema, headers), and every error
carries a code documented for its status. Bounded: a few
dozen examples per operation, so it runs in well under two minutes.

One default check is left out: ``positive_data_acceptance`` (ST202) expects every schema-valid request to
succeed, but a schema cannot carry the domain's rules (dates from 2022-10-07, ISO codes that exist, a spec with
a non-zero rate), which the API rightly answers with a documented 400.

A second, ``negative_data_rejection``, is left out for a reason of the harness, not of the API: a query string
cannot carry the nulls and objects schemathesis generates as "invalid" (they arrive as plain, valid strings), and
every request carries the real API key in place of the generated Authorization header, so its "negative" cases
reach the app as valid requests (seen in CI: GET /api/chips with search "null became object"). Invalid input is
tested directly, per route, in test_api_decisions.py and test_api_access.py."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import negative_data_rejection, positive_data_acceptance

from chipcontrol.api.errors import DOCUMENTED
from chipcontrol.asgi import create_app
from chipcontrol.services import keys
from chipcontrol.services.screening import set_default_store
from chipcontrol.settings import Settings
from chipcontrol.store import close_store

_TMP = Path(tempfile.mkdtemp(prefix="chipcontrol-schemathesis-"))
_URL = f"sqlite:///{_TMP / 'st.db'}"
app = create_app(Settings(database_url=_URL), warm=False)
ADMIN_KEY, _ = keys.create_key(app.state.runtime.store, name="schemathesis", role="admin")

schema = schemathesis.openapi.from_asgi("/openapi.json", app)


@pytest.fixture(scope="module", autouse=True)
def _bundled_lists_after() -> Iterator[None]:
    yield
    set_default_store(None)  # in case a generated list import succeeded: later tests expect the bundled lists
    close_store(_URL)
    shutil.rmtree(_TMP, ignore_errors=True)


@schemathesis.check
def documented_error_code(ctx: object, response: schemathesis.Response, case: schemathesis.Case) -> bool | None:
    """An error response carries one of the codes documented for its status (api.errors.DOCUMENTED)."""
    if response.status_code < 400:
        return None
    code = response.json()["error"]["code"]
    assert code in DOCUMENTED.get(response.status_code, ()), (
        f"{case.method} {case.path}: {response.status_code} with undocumented code {code!r}")
    return None


@schema.parametrize()
@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large])
def test_api_conforms_to_its_openapi_document(case: schemathesis.Case) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {ADMIN_KEY}"},
                           excluded_checks=[positive_data_acceptance, negative_data_rejection],
                           additional_checks=[documented_error_code])
