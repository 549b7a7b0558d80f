"""Every catalogue item carries its jurisdiction facts with sources, or says they are unknown."""

from __future__ import annotations

from chipcontrol.catalog import Catalog
from chipcontrol.catalog.provenance import parse


def test_every_item_has_provenance_with_a_source_and_tag() -> None:
    for e in Catalog.load().all():
        prov = e.spec.provenance
        assert prov is not None, e.key
        assert prov.sources and prov.sources[0], e.key
        assert prov.verification in {"P", "PQ", "S", "U"}, e.key


def test_known_facts_of_the_story_chips() -> None:
    cat = Catalog.load()
    h20 = cat.lookup("NVIDIA H20").spec
    assert h20.provenance.designed_in == "US" and h20.provenance.made_in == "TW" and h20.us_availability is False
    assert cat.lookup("NVIDIA H200 SXM 141GB").spec.us_availability is True
    ascend = cat.lookup("Huawei Ascend 910B").spec.provenance
    assert ascend.designed_in == "CN" and ascend.made_in is None and "2025-05-13" in ascend.gp10
    assert ascend.ordered_by_footnote == "1"
    assert cat.lookup("Huawei Ascend 910C").spec.provenance.gp10
    assert not cat.lookup("Cambricon MLU370-X8").spec.provenance.gp10  # not named by the guidance


def test_first_matching_row_wins_and_blank_means_unknown() -> None:
    rules = parse("vendor,model_pattern,designed_in,made_in,fab,direct_product,us_content_above,ordered_by_footnote,"
                  "gp10,us_available_2026_01_15,sources,verification\n"
                  "V,^X1,US,,,true,,,,false,a,S\nV,,US,TW,TSMC,,,,,true,b,S\n")
    assert rules[0].pattern is not None and rules[0].pattern.search("X1 Pro")
    assert rules[0].provenance.made_in is None and rules[0].us_available is False
    assert rules[1].provenance.direct_product is None and rules[1].us_available is True
