"""Kinds of social tie and their codes, shared by the graph builder, the GraphML loader and the mechanisms."""

from __future__ import annotations

#: Tie kinds in the order of their integer codes (edge arrays store the code).
TIE_KINDS: tuple[str, ...] = (
    "household",
    "family",
    "friend",
    "neighbour",
    "acquaintance",
    "volunteer",
    "professional",
)
KIND_CODE: dict[str, int] = {name: code for code, name in enumerate(TIE_KINDS)}

#: Strength a tie of each kind starts with when a graph file gives none (0..1).
DEFAULT_STRENGTH: dict[str, float] = {
    "household": 0.9,
    "family": 0.6,
    "friend": 0.5,
    "neighbour": 0.3,
    "acquaintance": 0.2,
    "volunteer": 0.3,
    "professional": 0.3,
}

#: Whom a carer helps, as the calibration targets name it (bit ``i`` of ``State.helped_relations`` is RELATIONS[i]).
RELATIONS: tuple[str, ...] = ("partner", "parent", "child", "other_family", "friend_neighbour")
#: Groups of relations a target may also name: any family relation (household included).
RELATION_GROUPS: dict[str, tuple[str, ...]] = {"family": ("partner", "parent", "child", "other_family")}
#: Age difference (years) from which a household or family tie counts as one between generations
#: (parent and child) rather than within one (partners, siblings): modelling assumption (parents are 18–45
#: years older than their children, partners and siblings mostly within 15 years of each other).
GENERATION_GAP_YEARS: float = 15.0

#: Tie kinds that count as family for the share of informal care given by family.
FAMILY_KINDS: frozenset[str] = frozenset({"household", "family"})

#: Recorded relation of a household or family tie, read from its lower end ``u`` towards its higher end ``v``
#: (``Ties.rel``): "parent" means u is v's parent. Codes index this tuple; 0 is no kin relation (friends,
#: neighbours, ...); "household_member" and "family_member" are kin ties whose relation is not known (a loaded
#: GraphML file that gives only the kind): for them the relation is inferred from the age gap.
KIN_RELATIONS: tuple[str, ...] = (
    "none",
    "partner",
    "parent",
    "child",
    "sibling",
    "parent_in_law",
    "child_in_law",
    "grandparent",
    "grandchild",
    "household_member",
    "family_member",
)
REL_CODE: dict[str, int] = {name: code for code, name in enumerate(KIN_RELATIONS)}
#: The same relation read from the other end (u is v's parent ⇔ v is u's child).
REL_FLIP: tuple[int, ...] = tuple(
    REL_CODE[
        {
            "parent": "child",
            "child": "parent",
            "parent_in_law": "child_in_law",
            "child_in_law": "parent_in_law",
            "grandparent": "grandchild",
            "grandchild": "grandparent",
        }.get(name, name)
    ]
    for name in KIN_RELATIONS
)
#: Whom a carer helps (the index into RELATIONS) when the recipient is the helper's <kin relation>: a recipient
#: who is the helper's parent or parent-in-law is a "parent"; -1: infer from the age gap (relation unknown).
RELATION_OF_KIN: tuple[int, ...] = tuple(
    {
        "none": 4,
        "partner": 0,
        "parent": 1,
        "parent_in_law": 1,
        "child": 2,
        "child_in_law": 2,
        "sibling": 3,
        "grandparent": 3,
        "grandchild": 3,
        "household_member": -1,
        "family_member": -1,
    }[name]
    for name in KIN_RELATIONS
)
