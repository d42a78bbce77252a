"""A page's main settings live in the URL, so a link reproduces what its sender saw.

Widgets bind to the URL with ``bind="query-params"`` (their key is the parameter's name). A value
Streamlit cannot use is dropped silently; :func:`check_link` reads the raw parameters first and
says which ones were not used, so a mistyped link never fails quietly or with a traceback.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable

import streamlit as st

NOTED = "url_state_noted"  # session key: the bad links already explained (their fingerprints)
NOTED_KEEP = 16  # a session remembers this many; a query string can be 512 KB, any number of them


def _number(low: float, high: float, integer: bool = False) -> Callable[[str], bool]:
    def accepts(raw: str) -> bool:
        try:
            value = int(raw) if integer else float(raw)
        except ValueError:
            return False
        return low <= value <= high
    return accepts


def number(low: float, high: float) -> Callable[[str], bool]:
    """A parameter that must be a number in [low, high]."""
    return _number(low, high)


def whole(low: int, high: int) -> Callable[[str], bool]:
    """A parameter that must be a whole number in [low, high]."""
    return _number(low, high, integer=True)


def one_of(options: Iterable[object]) -> Callable[[str], bool]:
    """A parameter that must be one of these options (compared as text)."""
    allowed = {str(option) for option in options}
    return lambda raw: raw in allowed


def fingerprint(keys: list[str], values: list[str]) -> str:
    """A short, fixed-size name for a link's bad keys and value, however long the value is."""
    digest = hashlib.blake2b(digest_size=16)
    for part in (*keys, "\0", *values):
        digest.update(part.encode("utf-8", "surrogatepass") + b"\0")
    return digest.hexdigest()


def check_link(rules: dict[str, Callable[[str], bool]], labels: dict[str, str] | None = None
               ) -> list[str]:
    """The URL parameters (among ``rules``) that a link gave with an unusable value.

    Shows one short note the first time, naming them: their defaults are used instead.
    """
    bad = []
    for key, accepts in rules.items():
        raw = st.query_params.get_all(key)
        if raw and not all(accepts(value) for value in raw[:1]) or len(raw) > 1:
            bad.append(key)
    if bad:
        names = ", ".join((labels or {}).get(key, key) for key in bad)
        seen = st.session_state.setdefault(NOTED, [])
        signature = fingerprint(sorted(bad), st.query_params.get_all(bad[0]))
        if signature not in seen:
            seen.append(signature)
            del seen[:-NOTED_KEEP]
            st.info(f"The link's value for {names} could not be used here, so the page starts "
                    "from its default.", icon=":material/link_off:")
    return bad
