"""The residents' state: one numpy array per attribute, indexed by resident slot.

Mesa agents are thin views on these arrays (see sim/agents.py); every weekly
mechanism reads and writes the arrays directly. The number of slots is fixed
for a run: a slot freed by a death or a move out is reused by a newcomer, who
gets a new ``person_id``.
"""

from __future__ import annotations

from dataclasses import Field, dataclass, field, fields
from typing import Any

import numpy as np

#: Kinds of care need, the columns of ``State.need`` and the allocation arrays.
CARE_KINDS: tuple[str, ...] = ("personal", "practical", "company")
PERSONAL, PRACTICAL, COMPANY = 0, 1, 2
#: The offers an action makes to a known resident once (bits of ``State.offered``).
OFFER_BITS: tuple[str, ...] = ("carer_support", "respite_care", "network_strengthening")


def offer_bit(action: str) -> np.uint8:
    """The bit of ``State.offered`` that records an offer of ``action``."""
    return np.uint8(1 << OFFER_BITS.index(action))


def row_total(a: np.ndarray) -> np.ndarray:
    """Sum over the kinds of care of an (n, 3) array; much faster than ``a.sum(axis=1)`` for narrow rows."""
    return a[:, 0] + a[:, 1] + a[:, 2]


def _array(initial: float | int | bool, dtype: type = float, width: int = 1, reset: bool = True) -> Any:
    """Declare a state array made by the model: its dtype, its value at the start, its width (kinds of care), and
    whether it starts again from that value when a newcomer takes over the slot (``State.reset_slots``)."""
    return field(init=False, metadata={"initial": initial, "dtype": dtype, "width": width, "reset": reset})


@dataclass
class State:
    """Arrays over all resident slots. Hours are hours per week.

    The arrays given at construction describe who lives in a slot; the rest are
    declared with ``_array`` and made, and reset for newcomers, from that one
    declaration.
    """

    alive: np.ndarray
    person_id: np.ndarray
    age: np.ndarray  #: years
    wijk: np.ndarray  #: wijk index
    household: np.ndarray  #: household index
    capacity: np.ndarray  #: hours a week a resident can give to others
    willing: np.ndarray  #: willing to help people outside the family
    lonely_base: np.ndarray  #: personal loneliness propensity on the 0–11 scale
    shops_locally: np.ndarray  #: does their shopping in their own wijk
    severity: np.ndarray = _array(0.0)  #: 0 = no care need, up to 1 = the heaviest need
    need: np.ndarray = _array(0.0, width=len(CARE_KINDS))  #: (n, 3) hours asked by kind of care
    loneliness: np.ndarray = _array(0.0, reset=False)  #: 0–11, De Jong Gierveld-like (a newcomer's is drawn)
    contact: np.ndarray = _array(0.0)  #: smoothed weekly contact (sum of tie strengths met)
    burden: np.ndarray = _array(0.0)  #: carer burden, 0–10
    caring_weeks: np.ndarray = _array(0, np.int32)  #: consecutive weeks giving informal care
    last_gave: np.ndarray = _array(-999, np.int32)  #: week in which informal care was last given (-999: never)
    #: week of the last help over a neighbour tie (-999: never)
    last_helped_neighbour: np.ndarray = _array(-999, np.int32)
    cooldown: np.ndarray = _array(0, np.int32)  #: weeks before a dropped-out carer helps again
    given: np.ndarray = _array(0.0)  #: informal hours given last week
    gave_this_year: np.ndarray = _array(False, bool)
    helped_friend_or_neighbour: np.ndarray = _array(False, bool)  #: this year
    #: this year: bit i set if they helped a samenkracht.sim.ties.RELATIONS[i]
    helped_relations: np.ndarray = _array(0, np.uint8)
    received_informal: np.ndarray = _array(0.0)
    received_formal: np.ndarray = _array(0.0)
    unmet: np.ndarray = _array(0.0, width=len(CARE_KINDS))  #: (n, 3) hours not given last week
    referred: np.ndarray = _array(False, bool)  #: noticed and referred to the wijkteam, not yet seen
    indicated: np.ndarray = _array(False, bool)  #: assessed by the wijkteam: may receive formal care
    mobilised: np.ndarray = _array(False, bool)  #: network mobilised: asks weak ties for help
    support_weeks: np.ndarray = _array(0, np.int32)  #: weeks of carer support left
    #: the wijkteam's caseload (sim/mechanisms/wijkteam.py):
    known: np.ndarray = _array(False, bool)  #: known to the wijkteam: signalled, assessed, or carer of one assessed
    referred_week: np.ndarray = _array(-999, np.int32)  #: week of the referral now waiting for intake (-999: none)
    assessed_week: np.ndarray = _array(-999, np.int32)  #: week of the last intake assessment (-999: never)
    review_week: np.ndarray = _array(-999, np.int32)  #: week the indication is next reviewed (-999: no indication)
    #: offers an action made (bit i: OFFER_BITS[i]); each is made once, taken up or declined
    offered: np.ndarray = _array(0, np.uint8)
    respite_weeks: np.ndarray = _array(0, np.int32)  #: weeks of respite care left for a carer who took it up
    social_case: np.ndarray = _array(False, bool)  #: assessed or reviewed as a social-model case (network work due)
    action_supported: np.ndarray = _array(False, bool)  #: ever supported by the carer_support action
    ill: np.ndarray = _array(False, bool)  #: carer fell ill from overburden
    volunteer: np.ndarray = _array(False, bool)  #: enrolled as a volunteer
    #: relatives outside the municipality (sim/mechanisms/kin_elsewhere.py), drawn when a resident arrives:
    kin_drawn: np.ndarray = _array(False, bool)  #: this resident's relatives elsewhere have been drawn
    children_near: np.ndarray = _array(0, np.int8)  #: adult children living elsewhere, near (within visiting distance)
    children_far: np.ndarray = _array(0, np.int8)  #: adult children living elsewhere, far
    parents_near: np.ndarray = _array(0, np.int8)  #: living parents elsewhere, near
    parents_far: np.ndarray = _array(0, np.int8)  #: living parents elsewhere, far
    parent_gap: np.ndarray = _array(0.0)  #: years the parents elsewhere are older than this resident
    parent_need_away: np.ndarray = _array(False, bool)  #: a parent elsewhere needs care
    cares_away: np.ndarray = _array(False, bool)  #: this resident takes part in caring for that parent
    grandparents: np.ndarray = _array(0, np.int8)  #: living grandparents elsewhere
    grand_need_away: np.ndarray = _array(False, bool)  #: a grandparent elsewhere needs care
    cares_grand: np.ndarray = _array(False, bool)  #: this resident takes part in caring for that grandparent
    cares_in_law: np.ndarray = _array(False, bool)  #: takes part in caring for their partner's parent elsewhere
    given_away: np.ndarray = _array(0.0)  #: hours given last week to a parent elsewhere (part of ``given``)
    carer: np.ndarray = _array(False, bool)  #: role: gives informal care (with hysteresis)
    neighbour_helper: np.ndarray = _array(False, bool)  #: role: helps someone through a neighbour tie

    def __post_init__(self) -> None:
        n = self.age.shape[0]
        for f in _MADE:
            spec = f.metadata
            shape = n if spec["width"] == 1 else (n, spec["width"])
            setattr(self, f.name, np.full(shape, spec["initial"], dtype=spec["dtype"]))

    @property
    def n(self) -> int:
        """Number of resident slots."""
        return int(self.age.shape[0])

    def adults(self) -> np.ndarray:
        """Mask of living residents aged 18 or over."""
        return self.alive & (self.age >= 18.0)

    def reset_slots(self, idx: np.ndarray) -> None:
        """Set the arrays declared to reset back to their initial values in the given slots (newcomers take over)."""
        for f in _RESET:
            getattr(self, f.name)[idx] = f.metadata["initial"]


#: The arrays the state makes itself, and those of them that start afresh for a newcomer.
_MADE: tuple[Field, ...] = tuple(f for f in fields(State) if not f.init)
_RESET: tuple[Field, ...] = tuple(f for f in _MADE if f.metadata["reset"])
