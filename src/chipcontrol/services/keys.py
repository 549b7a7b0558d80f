"""API keys and roles. A key is ``cc_<prefix>_<secret>``: the prefix finds the row, the 32-byte random secret is
stored only as its SHA-256 (a high-entropy secret needs no slow hash) and compared in constant time.

Roles, each including the ones before it: ``viewer`` (read and decide), ``analyst`` (record licences and
shipments), ``admin`` (keys and list imports).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any

from chipcontrol import errors
from chipcontrol.errors import InvalidInput
from chipcontrol.services import inputs
from chipcontrol.store import Store
from chipcontrol.store import audit as audit_store
from chipcontrol.store import repositories as repo
from chipcontrol.store.audit import AuditEntry
from chipcontrol.store.models import ApiKey, User

ROLES = ("viewer", "analyst", "admin")
_RANK = {r: i for i, r in enumerate(ROLES)}
KEY_PREFIX = "cc_"


# The key errors are the shared ones of chipcontrol.errors (one hierarchy, stable codes).
Unauthorized = errors.Unauthorized
Forbidden = errors.Forbidden
KeyNotFound = errors.NotFound
KeyConflict = errors.Conflict


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is asking: the user's name (the ``actor`` recorded in the audit log), the role and the key id."""

    name: str
    role: str
    key_id: int | None = None

    @property
    def actor(self) -> str:
        return self.name if self.key_id is None else f"{self.name} (key {self.key_id})"

    def allows(self, role: str) -> bool:
        return _RANK[self.role] >= _RANK[role]

    def require(self, role: str) -> None:
        if not self.allows(role):
            raise Forbidden(f"this needs the {role} role; your key has the {self.role} role")


SYSTEM = Principal("system", "admin")


def _sha(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _check_role(role: str) -> str:
    r = role.strip().lower()
    if r not in _RANK:
        raise InvalidInput(f"unknown role {role!r}; use one of: {', '.join(ROLES)}")
    return r


def key_json(key: ApiKey, user: User) -> dict[str, Any]:
    return {"id": key.id, "name": user.name, "role": key.role, "prefix": key.prefix, "created_at": key.created_at,
            "created_by": key.created_by, "revoked_at": key.revoked_at}


def create_key(store: Store, *, name: str, role: str, by: Principal = SYSTEM) -> tuple[str, dict[str, Any]]:
    """Create a key for user ``name`` (created if new). Returns the key (shown once) and its public record."""
    by.require("admin")
    clean = inputs.parse_party(name, "user")
    assert clean is not None
    if len(clean) > 200:
        raise InvalidInput("user name is longer than 200 characters")
    r = _check_role(role)
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    now = audit_store.utc_now()
    with store.write() as session:
        user = repo.get_or_create_user(session, clean, now)
        key = repo.add_key(session, user=user, prefix=prefix, secret_sha256=_sha(secret), role=r, created_at=now,
                           created_by=by.actor)
        info = key_json(key, user)
        audit_store.append(session, AuditEntry(kind="key.create", actor=by.actor, inputs={"name": clean, "role": r},
                                               result=info))
    return f"{KEY_PREFIX}{prefix}_{secret}", info


AUTH_CACHE_SECONDS = 10.0
_cache: dict[tuple[str, str], tuple[Principal, float]] = {}
_cache_lock = threading.Lock()


def _forget(key_id: int | None = None) -> None:
    with _cache_lock:
        if key_id is None:
            _cache.clear()
        else:
            for k in [k for k, (p, _) in _cache.items() if p.key_id == key_id]:
                del _cache[k]


def authenticate(store: Store, presented: str | None) -> Principal:
    """The principal for a presented key; Unauthorized if it is missing, malformed, unknown or revoked.

    A key verified in the last ``AUTH_CACHE_SECONDS`` is answered from memory (keyed by the SHA-256 of the key,
    never the key); revoking through this process takes effect at once, through another process within that
    time."""
    if presented:
        ck = (store.url, _sha(presented.strip()))
        with _cache_lock:
            hit = _cache.get(ck)
        if hit is not None and hit[1] > time.monotonic():
            return hit[0]
    who = _authenticate(store, presented)
    assert presented is not None
    with _cache_lock:
        if len(_cache) > 10_000:
            _cache.clear()
        _cache[(store.url, _sha(presented.strip()))] = (who, time.monotonic() + AUTH_CACHE_SECONDS)
    return who


def _authenticate(store: Store, presented: str | None) -> Principal:
    if not presented:
        raise Unauthorized("an API key is required: send it as 'Authorization: Bearer <key>' or 'X-API-Key'")
    text = presented.strip()
    if not text.startswith(KEY_PREFIX) or text.count("_") < 2:
        raise Unauthorized("the API key is not valid")
    prefix, _, secret = text[len(KEY_PREFIX):].partition("_")
    if len(prefix) != 12 or not secret:
        raise Unauthorized("the API key is not valid")
    with store.read() as session:
        found = repo.key_by_prefix(session, prefix)
    if found is None:
        raise Unauthorized("the API key is not valid")
    key, user = found
    if not hmac.compare_digest(key.secret_sha256, _sha(secret)):
        raise Unauthorized("the API key is not valid")
    if key.revoked_at is not None:
        raise Unauthorized("the API key has been revoked")
    return Principal(user.name, key.role, key.id)


def list_keys(store: Store, by: Principal) -> list[dict[str, Any]]:
    by.require("admin")
    with store.read() as session:
        return [key_json(k, u) for k, u in repo.list_keys(session)]


def revoke_key(store: Store, key_id: int, by: Principal) -> dict[str, Any]:
    by.require("admin")
    if by.key_id is not None and key_id == by.key_id:
        raise KeyConflict("you cannot revoke the key you are using")
    with store.write() as session:
        found = repo.key_by_id(session, key_id, for_update=True)
        if found is None:
            raise KeyNotFound(f"no API key {key_id}")
        key, user = found
        _forget(key_id)
        if key.revoked_at is None:
            key.revoked_at = audit_store.utc_now()
            session.flush()
            audit_store.append(session, AuditEntry(kind="key.revoke", actor=by.actor, inputs={"key_id": key_id},
                                                   result=key_json(key, user)))
        out = key_json(key, user)
    _forget(key_id)  # again after commit: a lookup racing the revocation must not stay cached
    return out


def bootstrap_admin(store: Store) -> str | None:
    """If no active key exists, create an admin key named 'admin' and return it (to print once); else None."""
    with store.read() as session:
        if repo.count_active_keys(session):
            return None
    key, _ = create_key(store, name="admin", role="admin")
    return key
