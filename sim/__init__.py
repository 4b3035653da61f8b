"""Samenkracht: a simulation of formal–informal care networks in a Dutch municipality."""

__version__ = "0.1.0"
