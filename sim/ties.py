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

#: Tie kinds that count as family for the share of informal care given by family.
FAMILY_KINDS: frozenset[str] = frozenset({"household", "family"})
