"""The unified social credit code (统一社会信用代码) of GB 32100-2015.

18 characters: registration authority (1), entity type (1), region code (6 digits), organisation code
(9), check character (1). The alphabet leaves out I, O, Z, S and V.
"""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_VALUE = {c: i for i, c in enumerate(ALPHABET)}


def check_char(first17: str) -> str:
    """The 18th character for the first 17 (which must use the code's alphabet)."""
    total = sum(_VALUE[c] * w for c, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def problems(code: str) -> list[str]:
    """Why ``code`` is not a valid credit code; empty when it is."""
    if len(code) != 18:
        return [f"must be 18 characters, got {len(code)}"]
    bad = sorted({c for c in code if c not in _VALUE})
    if bad:
        return [f"characters {''.join(bad)!r} are not allowed (alphabet 0-9 and A-Y without I, O, S, V, Z)"]
    if not code[2:8].isdigit():
        return ["characters 3-8 must be the 6-digit administrative region code"]
    expected = check_char(code[:17])
    if code[17] != expected:
        return [f"check character is {code[17]!r} but GB 32100-2015 gives {expected!r}"]
    return []


def make(seed: int, region: str = "320400") -> str:
    """A valid code for demos and tests (region 320400 is Changzhou)."""
    body = f"91{region}{seed % 10**9:09d}"
    return body + check_char(body)
