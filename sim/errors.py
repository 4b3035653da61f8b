"""Errors raised for bad input: they carry a message meant for the user, shown without a traceback."""

from __future__ import annotations


class InputError(Exception):
    """Bad input from the user (config value, graph file, scenario, action).

    The message names the problem and how to fix it; the command-line entry
    points print it as it is and exit with status 2.
    """
