"""``review.enqueue_screened``: the hits of many screened parties (a batch run) go to the review queue in one
transaction, pointing at the run's audit record; a hit already queued keeps its item and its decision."""

from __future__ import annotations

import pytest

from chipcontrol.errors import InvalidInput
from chipcontrol.services import review
from chipcontrol.services.keys import Principal
from chipcontrol.services.parties import default_party_screener
from chipcontrol.settings import Settings
from chipcontrol.store import Store


def test_batch_hits_are_queued_once_and_keep_their_decision(desk_store: Store) -> None:
    screen = default_party_screener()
    hits, _ = screen("Huawei Technologies Co., Ltd.", "CN")
    assert any(h.list == "entity_list" for h in hits)
    found = [("Huawei Technologies Co., Ltd.", "CN", hits), ("Acme Widgets", None, [])]
    n = review.enqueue_screened(desk_store, found, "batch", audit_seq=None)
    assert n == len([h for h in hits if h.entry_id])
    page = review.list_items(desk_store, review.QueueFilter(source="batch"))
    assert page["total"] == n and {i["party"] for i in page["items"]} == {"Huawei Technologies Co., Ltd."}
    first = page["items"][0]["id"]
    review.decide(desk_store, _settings(desk_store), Principal("ann", "analyst", 1), [first], "true_match",
                  "the listed company")
    assert review.enqueue_screened(desk_store, found) == n  # the same run again: nothing new, decision kept
    again = review.list_items(desk_store, review.QueueFilter(source="batch"))
    assert again["total"] == n
    assert next(i for i in again["items"] if i["id"] == first)["status"] == "true_match"
    with pytest.raises(InvalidInput):
        review.enqueue_screened(desk_store, found, "nowhere")


def _settings(store: Store) -> Settings:
    return Settings(database_url=store.url)
