"""The residents' state: one numpy array per attribute, indexed by resident slot.

Mesa agents are thin views on these arrays (see sim/agents.py); every weekly
mechanism reads and writes the arrays directly. The number of slots is fixed
for a run: a slot freed by a death or a move out is reused by a newcomer, who
gets a new ``person_id``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

#: Kinds of care need, the columns of ``State.need`` and the allocation arrays.
CARE_KINDS: tuple[str, ...] = ("personal", "practical", "company")
PERSONAL, PRACTICAL, COMPANY = 0, 1, 2


def row_total(a: np.ndarray) -> np.ndarray:
    """Sum over the kinds of care of an (n, 3) array; much faster than ``a.sum(axis=1)`` for narrow rows."""
    return a[:, 0] + a[:, 1] + a[:, 2]


@dataclass
class State:
    """Arrays over all resident slots. Hours are hours per week."""

    alive: np.ndarray
    person_id: np.ndarray
    age: np.ndarray  #: years
    wijk: np.ndarray  #: wijk index
    household: np.ndarray  #: household index
    capacity: np.ndarray  #: hours a week a resident can give to others
    willing: np.ndarray  #: willing to help people outside the family
    lonely_base: np.ndarray  #: personal loneliness propensity on the 0–11 scale
    shops_locally: np.ndarray  #: does their shopping in their own wijk
    severity: np.ndarray = field(init=False)  #: 0 = no care need, up to 1 = the heaviest need
    need: np.ndarray = field(init=False)  #: (n, 3) hours asked by kind of care
    loneliness: np.ndarray = field(init=False)  #: 0–11, De Jong Gierveld-like
    contact: np.ndarray = field(init=False)  #: smoothed weekly contact (sum of tie strengths met)
    burden: np.ndarray = field(init=False)  #: carer burden, 0–10
    caring_weeks: np.ndarray = field(init=False)  #: consecutive weeks giving informal care
    last_gave: np.ndarray = field(init=False)  #: week in which informal care was last given (-999: never)
    last_helped_neighbour: np.ndarray = field(init=False)  #: week of the last help over a neighbour tie (-999: never)
    cooldown: np.ndarray = field(init=False)  #: weeks before a dropped-out carer helps again
    given: np.ndarray = field(init=False)  #: informal hours given last week
    gave_this_year: np.ndarray = field(init=False)
    helped_friend_or_neighbour: np.ndarray = field(init=False)  #: this year
    helped_relations: np.ndarray = field(init=False)  #: this year: bit i set if they helped a samenkracht.sim.ties.RELATIONS[i]
    received_informal: np.ndarray = field(init=False)
    received_formal: np.ndarray = field(init=False)
    unmet: np.ndarray = field(init=False)  #: (n, 3) hours not given last week
    referred: np.ndarray = field(init=False)  #: noticed and referred to the wijkteam, not yet seen
    indicated: np.ndarray = field(init=False)  #: assessed by the wijkteam: may receive formal care
    mobilised: np.ndarray = field(init=False)  #: network mobilised: asks weak ties for help
    support_weeks: np.ndarray = field(init=False)  #: weeks of carer support left
    action_supported: np.ndarray = field(init=False)  #: ever supported by the carer_support action
    ill: np.ndarray = field(init=False)  #: carer fell ill from overburden
    volunteer: np.ndarray = field(init=False)  #: enrolled as a volunteer
    carer: np.ndarray = field(init=False)  #: role: gives informal care (with hysteresis)
    neighbour_helper: np.ndarray = field(init=False)  #: role: helps someone through a neighbour tie

    def __post_init__(self) -> None:
        n = self.age.shape[0]
        self.severity = np.zeros(n)
        self.need = np.zeros((n, 3))
        self.last_gave = np.full(n, -999, dtype=np.int32)
        self.last_helped_neighbour = np.full(n, -999, dtype=np.int32)
        self.loneliness = np.clip(self.lonely_base, 0.0, 11.0).astype(float)
        self.contact = np.zeros(n)
        self.burden = np.zeros(n)
        self.caring_weeks = np.zeros(n, dtype=np.int32)
        self.cooldown = np.zeros(n, dtype=np.int32)
        self.given = np.zeros(n)
        self.gave_this_year = np.zeros(n, dtype=bool)
        self.helped_friend_or_neighbour = np.zeros(n, dtype=bool)
        self.helped_relations = np.zeros(n, dtype=np.uint8)
        self.received_informal = np.zeros(n)
        self.received_formal = np.zeros(n)
        self.unmet = np.zeros((n, 3))
        for name in ("referred", "indicated", "mobilised", "ill", "volunteer", "carer", "neighbour_helper",
                     "action_supported"):
            setattr(self, name, np.zeros(n, dtype=bool))
        self.support_weeks = np.zeros(n, dtype=np.int32)

    @property
    def n(self) -> int:
        """Number of resident slots."""
        return int(self.age.shape[0])

    def adults(self) -> np.ndarray:
        """Mask of living residents aged 18 or over."""
        return self.alive & (self.age >= 18.0)

    def reset_slots(self, idx: np.ndarray) -> None:
        """Clear the dynamic state of the given slots (for newcomers taking over a slot)."""
        self.last_gave[idx] = -999
        self.last_helped_neighbour[idx] = -999
        for name in ("severity", "burden", "given", "received_informal", "received_formal", "contact"):
            getattr(self, name)[idx] = 0.0
        self.need[idx] = 0.0
        self.unmet[idx] = 0.0
        for name in ("caring_weeks", "cooldown", "support_weeks", "helped_relations"):
            getattr(self, name)[idx] = 0
        for name in (
            "gave_this_year",
            "helped_friend_or_neighbour",
            "referred",
            "indicated",
            "mobilised",
            "ill",
            "volunteer",
            "carer",
            "neighbour_helper",
            "action_supported",
        ):
            getattr(self, name)[idx] = False
