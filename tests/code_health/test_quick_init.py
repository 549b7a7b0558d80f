"""``quick_init`` gives frozen dataclasses a faster constructor that behaves exactly like the generated one."""

from __future__ import annotations

import dataclasses
import inspect
import pickle
from typing import Any

import pytest

from chipcontrol.model.citation import Citation
from chipcontrol.model.decision import Classification, Determination, LicenseException, PartyFinding, Reason
from chipcontrol.model.frozen import quick_init
from chipcontrol.model.shipment import Party, Shipment
from chipcontrol.model.trace import ParamRead, TraceStep
from chipcontrol.rules.ruleset import RuleContext

QUICK = [ParamRead, TraceStep, Classification, Reason, LicenseException, PartyFinding, Determination, Party, Shipment,
         RuleContext]


def _shape(fn: Any) -> list[tuple[str, Any, str]]:
    return [(p.name, p.kind, repr(p.default)) for p in inspect.signature(fn, follow_wrapped=False).parameters.values()]


@pytest.mark.parametrize("cls", QUICK, ids=lambda c: c.__name__)
def test_the_engines_value_types_keep_the_generated_signature(cls: type) -> None:
    generated = cls.__init__.__wrapped__  # type: ignore[misc]
    assert cls.__init__ is not generated
    assert _shape(cls.__init__) == _shape(generated)


def _declare(name: str) -> type:
    """A fresh frozen dataclass with every kind of field (positional, defaulted, factory, not in __init__,
    keyword-only), known by ``name`` in this module (for pickle)."""

    @dataclasses.dataclass(frozen=True, slots=True)
    class Sample:
        a: int
        b: str = "b"
        c: list[int] = dataclasses.field(default_factory=list)
        d: int = dataclasses.field(default=4, init=False)
        e: tuple[int, ...] = dataclasses.field(default=(), kw_only=True)
        f: dict[str, int] = dataclasses.field(default_factory=dict, kw_only=True)

    Sample.__name__ = Sample.__qualname__ = name
    return Sample


_Sample: Any = quick_init(_declare("_Sample"))
_Plain: Any = _declare("_Plain")


@pytest.mark.parametrize(("args", "kwargs"), [((1,), {}), ((1, "x"), {}), ((1, "x", [2]), {"e": (3,), "f": {"k": 1}}),
                                              ((), {"a": 5, "c": [7]})])
def test_same_values_as_the_generated_constructor(args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    quick, plain = _Sample(*args, **kwargs), _Plain(*args, **kwargs)
    assert dataclasses.astuple(quick) == dataclasses.astuple(plain)
    assert quick == _Sample(*args, **kwargs)
    assert pickle.loads(pickle.dumps(quick)) == quick
    assert dataclasses.replace(quick, a=9).a == 9


def test_factories_run_per_instance_and_the_instance_stays_frozen() -> None:
    one, two = _Sample(1), _Sample(2)
    assert one.c == [] and one.c is not two.c
    with pytest.raises(dataclasses.FrozenInstanceError):
        one.a = 3  # type: ignore[misc]
    with pytest.raises(TypeError):
        _Sample(1, "x", [], (), {})  # the keyword-only fields stay keyword-only
    with pytest.raises(TypeError):
        _Sample()  # a required field stays required


def test_post_init_runs_and_unsupported_classes_are_refused() -> None:
    seen: list[int] = []

    @quick_init
    @dataclasses.dataclass(frozen=True, slots=True)
    class WithPost:
        a: int

        def __post_init__(self) -> None:
            seen.append(self.a)

    WithPost(3)
    assert seen == [3]

    @dataclasses.dataclass(frozen=True)
    class NoSlots:
        a: int

    @dataclasses.dataclass(frozen=True, slots=True)
    class WithInitVar:
        a: int
        b: dataclasses.InitVar[int]

        def __post_init__(self, b: int) -> None:
            pass

    for cls in (NoSlots, WithInitVar):
        with pytest.raises(TypeError):
            quick_init(cls)


def test_a_trace_step_is_built_as_before() -> None:
    cite = Citation("15 CFR 742.6(a)(6)", "https://www.ecfr.gov/", "ecfr")
    step = TraceStep("ear.742.6", "Is it?", "yes", cite, status="info")
    assert (step.rule_id, step.detail, step.status, step.inputs, step.parameters) == ("ear.742.6", "", "info", (), ())
