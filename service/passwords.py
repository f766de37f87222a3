"""The password policy: long enough, not a common password, not trivially repetitive.

Used by every place a password is set (``synergraph user add|password``, the admin page).
The list of common passwords ships with the code (``service/common-passwords.txt``); nothing
is downloaded.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

__all__ = ["MIN_PASSWORD_LENGTH", "password_problem"]

MIN_PASSWORD_LENGTH = 10
COMMON_FILE = Path(__file__).resolve().parent / "common-passwords.txt"
MIN_DISTINCT = 4
#: Keyboard rows and alphabets: a password that is a run of one of them is refused.
_SEQUENCES = (
    "0123456789012345678901234567890",
    "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz",
    "qwertyuiopasdfghjklzxcvbnm",
    "azertyuiopqsdfghjklmwxcvbn",
    "qwertzuiopasdfghjklyxcvbnm",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
    "qazwsxedcrfvtgbyhnujmikolp",
    "1q2w3e4r5t6y7u8i9o0p",
)
_EDGE = "0123456789!@#$%^&*()-_=+.,;:?'\"/\\ "


@lru_cache(maxsize=1)
def _common() -> frozenset[str]:
    lines = COMMON_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines
                     if line.strip() and not line.startswith("#"))


def _period(text: str) -> str | None:
    """The shortest unit ``text`` repeats (at least twice), else None.

    >>> _period("abcabcabca"), _period("abcdef")
    ('abc', None)
    """
    for size in range(1, len(text) // 2 + 1):
        if all(text[i] == text[i % size] for i in range(len(text))):
            return text[:size]
    return None


def password_problem(password: str, *, username: str = "") -> str | None:
    """Why ``password`` is refused, or None when it is acceptable.

    >>> password_problem("aaaaaaaaaa")
    'the password repeats one character; choose a longer mix of words or characters'
    >>> password_problem("0123456789")
    'the password is a run of consecutive keys or characters (like 12345 or qwerty)'
    >>> password_problem("Password2024!")
    'the password is a common password (with digits or symbols added)'
    >>> password_problem("correct horse battery") is None
    True
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"a password needs at least {MIN_PASSWORD_LENGTH} characters"
    lower = password.lower()
    if username and lower.strip() == username.strip().lower():
        return "the password must not be the user name"
    common = _common()
    if lower in common:
        return "the password is one of the most common passwords"
    core = lower.strip(_EDGE)
    if core in common or (username and core == username.strip().lower()):
        return "the password is a common password (with digits or symbols added)"
    if len(set(lower)) == 1:
        return ("the password repeats one character; choose a longer mix of words or "
                "characters")
    unit = _period(lower)
    if unit is not None:
        return f"the password repeats {unit!r}; choose a longer mix of words or characters"
    if len(set(lower)) < MIN_DISTINCT:
        return (f"the password uses only {len(set(lower))} different characters "
                f"(at least {MIN_DISTINCT} needed)")
    for sequence in _SEQUENCES:
        if lower in sequence or lower in sequence[::-1]:
            return ("the password is a run of consecutive keys or characters "
                    "(like 12345 or qwerty)")
    return None
