"""Part 736, general prohibitions: General Prohibition Ten (736.2(b)(10)) — no proceeding with a transaction with
knowledge that a violation of the EAR has occurred or is about to occur in connection with the item.

BIS's guidance of 2025-05-13 presumes that advanced-computing ICs developed or produced by companies in D:5 (it names
Huawei Ascend 910B, 910C and 910D) were produced in violation of the EAR: dealing in them anywhere risks General
Prohibition 10. Such an item (a catalogue fact with its source) never gets a clearance. There are no licence
exceptions to General Prohibition 10.
"""

from __future__ import annotations

from chipcontrol.model.citation import Citation
from chipcontrol.rules.ear.part_734 import provenance
from chipcontrol.rules.ear.work import D5MO, Work

GP10 = "ear.part_736.gp10_guidance"


def general_prohibition_10(w: Work) -> None:
    """Is the item presumed to have been produced in violation of the EAR (General Prohibition 10)?"""
    prov = provenance(w)
    if not prov.gp10:
        # an item the guidance neither names nor describes: its being in force cannot reach the answer
        if prov.designed_in and w.ctx.in_scope(prov.designed_in, D5MO) and w.cls.level in ("a", "b") and \
                w.ctx.in_force(GP10):  # the guidance itself is read only where it reaches the answer
            read = w.read(GP10)
            assert read is not None
            w.warn(f"{w.spec.display_name} is an advanced-computing IC developed in {prov.designed_in}: BIS's guidance "
                   "of 2025-05-13 presumes such ICs may have been produced in violation of the EAR (General "
                   "Prohibition 10); it names the Huawei Ascend 910B, 910C and 910D. Establish how it was made before "
                   "dealing in it.")
            w.step("ear.736.2.b.10", "Is the item presumed to have been produced in violation of the EAR (General "
                   "Prohibition 10)?", "not named by the guidance; a PRC-developed advanced-computing IC: a red flag",
                   read.citation, status="warning", params=(read,))
        return
    if not w.ctx.in_force(GP10):
        return
    read = w.read(GP10)
    assert read is not None
    cit: Citation = read.citation
    w.require("ear.736.2.b.10", f"{w.spec.display_name}: {prov.gp10}. BIS presumes such chips were produced in "
              "violation of the EAR; under General Prohibition 10 you may not sell, transfer, export, reexport, "
              "finance, use or otherwise service them with knowledge of a violation, anywhere; there are no licence "
              "exceptions. Seek BIS advice before any transaction.", cit, None, allows_exceptions=False,
              kind="prohibited")
    w.step("ear.736.2.b.10", "Is the item presumed to have been produced in violation of the EAR (General "
           "Prohibition 10)?", f"yes: {prov.gp10}", cit, str(read.value.get("note", "")), status="fail",
           params=(read,))
