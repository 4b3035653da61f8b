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
