"""No silent clearance: where a fact is unknown, the answer never says "no licence" while some reply to the
question would require one; a fact that cannot change the answer is never asked."""

from __future__ import annotations

import dataclasses
import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from chipcontrol.catalog import Catalog
from chipcontrol.model.shipment import Shipment
from chipcontrol.rules.ear.eccn_3a090 import classify
from chipcontrol.rules.ear.facts import headquarters_replies
from chipcontrol.rules.ear.license import determine
from chipcontrol.rules.ruleset import Ruleset

RS = Ruleset.load()
ITEMS = [e.spec for e in Catalog.load().all() if e.spec.dense_tops][:60]
DESTS = ["CN", "MO", "MY", "SG", "AE", "IN", "DE", "US", "VN", "SA", "BR", "RU", "IL", "TW", "JP", "KH"]
DAYS = [dt.date(2022, 10, 7) + dt.timedelta(days=d) for d in range(0, 1515, 37)]


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(ITEMS), st.sampled_from(DESTS), st.sampled_from(DAYS),
       st.sampled_from(["enforced", "as_written"]), st.sampled_from([None, "NVIDIA", "Example Co"]))
def test_an_unknown_headquarters_never_clears_what_a_reply_would_license(spec, dest, day, view, exporter) -> None:
    ctx = RS.context(day, view)
    cls = classify(spec, ctx)
    unknown = determine(spec, cls, Shipment(destination=dest, exporter=exporter, quantity=1), ctx)
    answers = [determine(spec, cls, Shipment(destination=dest, exporter=exporter, quantity=1,
                                             end_user_hq=r.value), ctx)
               for r in headquarters_replies(ctx, dest)]
    if any(a.license_required is not False for a in answers) or any(a.questions for a in answers):
        assert unknown.outcome != "no_license_required"
    if all(a.license_required for a in answers):
        assert unknown.license_required is True  # a requirement that applies whatever the reply is stated
    if unknown.outcome == "indeterminate":
        assert unknown.license_required is not False
    keys = {(a.outcome, a.license_required, a.review_policy, tuple(e.name for e in a.license_exceptions))
            for a in answers if not a.questions}
    if len(keys) == 1 and not any(a.questions for a in answers):
        assert "end_user.headquarters" not in [q.id for q in unknown.questions]


def test_every_reply_of_a_question_is_what_the_engine_says_for_that_reply() -> None:
    spec = Catalog.load().lookup("NVIDIA H100 SXM5 80GB").spec
    ctx = RS.context(dt.date(2025, 6, 1))
    d = determine(spec, classify(spec, ctx), Shipment(destination="AE"), ctx)
    (q,) = d.questions
    for reply in q.replies:
        direct = determine(spec, classify(spec, ctx), Shipment(destination="AE", end_user_hq=reply.reply), ctx)
        assert (direct.outcome, direct.license_required, direct.review_policy) == (
            reply.outcome, reply.license_required, reply.review_policy)


def test_an_answer_given_removes_the_question() -> None:
    spec = Catalog.load().lookup("NVIDIA H20").spec
    ctx = RS.context(dt.date(2025, 6, 1))
    ship = Shipment(destination="CN")
    assert [q.id for q in determine(spec, classify(spec, ctx), ship, ctx).questions] == ["exporter.is_nvidia"]
    answered = dataclasses.replace(ship, facts={"exporter.is_nvidia": "yes"})
    d = determine(spec, classify(spec, ctx), answered, ctx)
    assert not d.questions and d.license_required is True
