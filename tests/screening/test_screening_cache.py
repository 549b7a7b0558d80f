"""The screening index cache: written on first use, loaded when current, rebuilt when the lists, the
curated data or the matcher change; a broken or missing cache only costs a rebuild. Every test starts
from an empty cache directory of its own (no test depends on a warm cache)."""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

import pytest

from chipcontrol.services import screening as svc

QUERIES = ["Huawei Technologies Co., Ltd.", "华为技术有限公司", "華為技術有限公司", "杭州海康威视数字技术股份有限公司",
           "Langchao Beijing Electronic Information", "TCL Technology Group Corporation", "Example Robotics GmbH"]


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    d = tmp_path / "cache"
    monkeypatch.setenv("CHIPCONTROL_CACHE_DIR", str(d))
    monkeypatch.delenv("CHIPCONTROL_SCREENING_CACHE", raising=False)
    return d


def _files(d: Path) -> list[Path]:
    return sorted(d.glob("screening-index-*.marshal"))


def test_cache_is_written_then_loaded_with_the_same_results(cache: Path) -> None:
    assert not cache.exists()
    built = svc.bundled_store().screener()
    (first,) = _files(cache)
    assert svc.index_fingerprint() in first.name
    loaded = svc.bundled_store().screener()  # from the file this time
    assert loaded is not built
    assert loaded.stats() == built.stats()
    for q in QUERIES:
        assert loaded.screen(q).to_dict() == built.screen(q).to_dict(), q
    assert _files(cache) == [first]


def test_cache_is_rebuilt_when_the_lists_change(cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # a copy of the package whose files the fingerprint reads, so a list file can be changed
    pkg = tmp_path / "pkg"
    shutil.copytree(Path(str(resources.files("chipcontrol.screening"))), pkg)
    real_files = resources.files
    monkeypatch.setattr(svc.resources, "files",
                        lambda name: pkg if name == "chipcontrol.screening" else real_files(name))
    svc.bundled_store()
    (old,) = _files(cache)
    fp = svc.index_fingerprint()
    with (pkg / "data" / "bis_meu.json").open("ab") as f:
        f.write(b"\n")  # a new list file (same content, other bytes): another fingerprint
    assert svc.index_fingerprint() != fp
    svc.bundled_store()
    (new,) = _files(cache)  # rebuilt under the new fingerprint; the stale file is gone
    assert new != old and not old.exists()
    fp2 = svc.index_fingerprint()
    with (pkg / "data" / "zh_names.csv").open("a", encoding="utf-8") as f:
        f.write("\n")  # the curated names are part of the index too
    assert svc.index_fingerprint() != fp2


def test_a_broken_cache_file_is_only_a_miss(cache: Path) -> None:
    cache.mkdir(parents=True)
    path = cache / f"screening-index-{svc.index_fingerprint()}.marshal"
    path.write_bytes(b"not a marshal image")
    scr = svc.bundled_store().screener()
    assert scr.screen("Huawei Technologies Co., Ltd.").hits
    assert path.stat().st_size > 1000  # replaced by a good image


def test_cache_can_be_turned_off(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHIPCONTROL_SCREENING_CACHE", "off")
    assert svc.cache_dir() is None
    assert svc.bundled_store().screener().screen("华为").hits
    assert not cache.exists()


def test_a_store_put_in_place_of_the_bundled_lists_is_known_as_such() -> None:
    """What a fresh process (a batch worker) would screen with is the bundled store: known until another is set."""
    try:
        svc.set_default_store(None)
        assert svc.default_is_bundled()
        svc.set_default_store(svc.SnapshotStore.with_screener(svc.screener()))
        assert not svc.default_is_bundled()  # the same lists, maybe, but not the store a fresh process gets
    finally:
        svc.set_default_store(None)
    assert svc.default_is_bundled()
