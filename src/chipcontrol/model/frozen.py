"""Quicker construction of frozen, slotted dataclasses.

A frozen dataclass's generated ``__init__`` stores each field through ``object.__setattr__`` (looked up per field),
because its own ``__setattr__`` refuses; the engine makes dozens of trace steps, reasons and classifications per
decision, and that storing was about a third of the hot path's time. :func:`quick_init` gives such a class an
``__init__`` with the same signature and defaults that stores each field through its slot's descriptor (about twice
as fast). The instance stays frozen: assigning a field afterwards still raises ``FrozenInstanceError``.
"""

from __future__ import annotations

import dataclasses
import inspect
from typing import Any, TypeVar

T = TypeVar("T")


class _Factory:
    """Marks a parameter whose default comes from a ``default_factory``."""

    def __repr__(self) -> str:
        return "<factory>"


_FACTORY = _Factory()


def quick_init(cls: type[T]) -> type[T]:
    """Replace the dataclass ``cls``'s generated ``__init__`` (``frozen=True, slots=True``) by one that stores
    through the slots' descriptors: same parameters (positional, keyword-only), defaults and default factories, and
    ``__post_init__`` called last. The generated one stays reachable as ``cls.__init__.__wrapped__``."""
    params = getattr(cls, "__dataclass_params__", None)
    if params is None or not params.frozen or not params.init or "__slots__" not in cls.__dict__:
        raise TypeError(f"quick_init needs a dataclass with frozen=True, slots=True and an __init__: {cls.__name__}")
    fields = dataclasses.fields(cls)  # type: ignore[arg-type]
    ns: dict[str, Any] = {"_FACTORY": _FACTORY}
    positional: list[str] = []
    keyword: list[str] = []
    body: list[str] = []
    for i, f in enumerate(fields):
        ns[f"_set{i}"] = cls.__dict__[f.name].__set__  # the slot's member descriptor: no frozen __setattr__
        if f.default is not dataclasses.MISSING:
            ns[f"_default{i}"] = f.default
        if f.default_factory is not dataclasses.MISSING:
            ns[f"_factory{i}"] = f.default_factory
        if not f.init:
            if f.default_factory is not dataclasses.MISSING:
                body.append(f"    _set{i}(self, _factory{i}())")
            elif f.default is not dataclasses.MISSING:
                body.append(f"    _set{i}(self, _default{i})")
            continue
        if f.default is not dataclasses.MISSING:
            param = f"{f.name}=_default{i}"
        elif f.default_factory is not dataclasses.MISSING:
            param = f"{f.name}=_FACTORY"
            body.append(f"    if {f.name} is _FACTORY:\n        {f.name} = _factory{i}()")
        else:
            param = f.name
        (keyword if f.kw_only else positional).append(param)
        body.append(f"    _set{i}(self, {f.name})")
    if hasattr(cls, "__post_init__"):
        body.append("    self.__post_init__()")
    signature = ", ".join(["self", *positional, *(["*", *keyword] if keyword else [])])
    source = f"def __init__({signature}):\n" + "\n".join(body or ["    pass"]) + "\n"
    exec(source, ns)  # generated from the class's own field names, as dataclasses itself does
    init = ns["__init__"]
    if list(inspect.signature(init).parameters) != list(inspect.signature(cls.__init__).parameters):
        raise TypeError(f"quick_init cannot reproduce the parameters of {cls.__name__} (InitVar fields?)")
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__module__ = cls.__module__
    init.__doc__ = cls.__init__.__doc__
    init.__wrapped__ = cls.__init__
    cls.__init__ = init  # type: ignore[method-assign]
    return cls
