"""The only file reader of the core: a strict YAML loader and the parser of ``regulations/``.

Strict means: no duplicate keys, no implicit dates (dates are quoted strings, parsed and checked here), and only
``true``/``false`` are booleans (YAML 1.1 reads bare ``NO`` — Norway — or ``on`` as booleans; not here).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from chipcontrol.errors import RegulationDataError
from chipcontrol.model.citation import Citation

VERIFICATION_TAGS = frozenset({"P", "PQ", "S", "U", "D"})
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class StrictLoader(yaml.SafeLoader):
    """SafeLoader without implicit timestamps, with YAML 1.2-style booleans, rejecting duplicate keys."""


StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers
            if tag not in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool")]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))


def _construct_mapping(loader: StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    mapping: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in mapping:
            raise yaml.constructor.ConstructorError(
                "while constructing a mapping", node.start_mark, f"found duplicate key {key!r}", key_node.start_mark)
        mapping[key] = loader.construct_object(value_node, deep=deep)
    return mapping


StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_yaml(text: str, origin: str = "<string>") -> Any:
    """Parse YAML strictly; errors name the origin and line."""
    try:
        return yaml.load(text, Loader=StrictLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{origin}:{mark.line + 1}" if mark is not None else origin
        problem = getattr(exc, "problem", None) or str(exc)
        raise RegulationDataError(f"{where}: {problem}") from None


def parse_date(value: Any, where: str) -> dt.date:
    """A date must be a quoted 'YYYY-MM-DD' string and a real calendar day."""
    if not isinstance(value, str) or not _DATE_RE.match(value):
        raise RegulationDataError(f"{where}: expected a quoted date 'YYYY-MM-DD', got {value!r}")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise RegulationDataError(f"{where}: {value!r} is not a calendar date") from None


def regulations_root() -> Path:
    """Folder of the bundled regulation data."""
    return Path(str(resources.files("chipcontrol") / "regulations"))


def read_tree(root: Path) -> dict[str, str]:
    """All YAML files below root, by relative posix path, as text."""
    files = sorted(p for p in root.rglob("*.yaml") if p.is_file())
    return {p.relative_to(root).as_posix(): p.read_text(encoding="utf-8") for p in files}


def content_hash(files: Mapping[str, str]) -> str:
    """A stable hash of the ruleset: paths and contents, sorted."""
    h = hashlib.sha256()
    for path in sorted(files):
        h.update(path.encode())
        h.update(b"\0")
        h.update(files[path].encode())
        h.update(b"\0")
    return h.hexdigest()


_SOURCE_KEYS = {"title", "fr", "fr_doc", "published", "effective", "url", "document", "note", "verification"}


def parse_sources(data: Any, origin: str) -> dict[str, dict[str, str]]:
    if not isinstance(data, dict):
        raise RegulationDataError(f"{origin}: expected a mapping of source ids")
    out: dict[str, dict[str, str]] = {}
    for sid, body in data.items():
        where = f"{origin}: source {sid}"
        if not isinstance(body, dict):
            raise RegulationDataError(f"{where}: expected a mapping")
        unknown = set(body) - _SOURCE_KEYS
        if unknown:
            raise RegulationDataError(f"{where}: unknown keys {sorted(unknown)}")
        if body.get("verification") not in VERIFICATION_TAGS:
            raise RegulationDataError(f"{where}: verification must be one of {sorted(VERIFICATION_TAGS)}")
        if not (body.get("fr") or body.get("document")):
            raise RegulationDataError(f"{where}: needs an 'fr' page or a 'document' reference")
        for key in ("published", "effective"):
            if key in body:
                parse_date(body[key], f"{where}.{key}")
        out[str(sid)] = {k: str(v) for k, v in body.items()}
    return out


_CITATION_KEYS = {"source", "cfr", "verification", "note"}


def parse_citation(data: Any, sources: Mapping[str, Mapping[str, str]], where: str) -> Citation:
    """A citation names a source id, adds the CFR paragraph and its own verification tag."""
    if not isinstance(data, dict):
        raise RegulationDataError(f"{where}: citation must be a mapping")
    unknown = set(data) - _CITATION_KEYS
    if unknown:
        raise RegulationDataError(f"{where}: unknown citation keys {sorted(unknown)}")
    sid = data.get("source")
    if sid not in sources:
        raise RegulationDataError(f"{where}: citation source {sid!r} is not in sources.yaml")
    if not data.get("cfr"):
        raise RegulationDataError(f"{where}: citation needs a 'cfr' paragraph")
    tag = data.get("verification")
    if tag not in VERIFICATION_TAGS:
        raise RegulationDataError(f"{where}: citation verification must be one of {sorted(VERIFICATION_TAGS)}")
    src = sources[str(sid)]
    note = "; ".join(n for n in (str(data.get("note", "")), src.get("note", "")) if n)
    return Citation(
        source_id=str(sid), title=src.get("title", ""), cfr=str(data["cfr"]), fr=src.get("fr", ""),
        fr_doc=src.get("fr_doc", ""), published=src.get("published", ""), effective=src.get("effective", ""),
        url=src.get("url", ""), document=src.get("document", ""), note=note, verification=str(tag))
