"""Domain errors of the use-case layer, each with exactly one handler per rendering.

- :class:`NotFound`: the question names something that does not exist (a cluster, a country,
  an actor, a project). API: 404 ``application/problem+json`` with type ``not-found``;
  pages: the 404 page with suggestions; CLI: exit 2.
- :class:`BadParameter`: a parameter is invalid (wrong type, out of range, unknown kind,
  reversed years...). It always names the parameter. API: 400 problem+json with type
  ``bad-parameter`` and ``parameter``; pages: the 400 page; CLI: exit 2.

Anything else that escapes a use case is a bug: it is logged and answered with 500, never
dressed up as a client error.
"""

from __future__ import annotations

__all__ = ["SynergraphError", "NotFound", "BadParameter"]


class SynergraphError(Exception):
    """Base of the errors a user can act on."""


class NotFound(SynergraphError, LookupError):
    """No ``what`` with id ``id``.

    >>> str(NotFound("cluster", "nope"))
    "no cluster with id 'nope'"
    """

    def __init__(self, what: str, id_: str, message: str | None = None):
        self.what = what
        self.id = id_
        super().__init__(message or f"no {what} with id {id_!r}")


class BadParameter(SynergraphError, ValueError):
    """Parameter ``name`` is invalid; the message says why and what is expected.

    >>> str(BadParameter("top", "must be between 1 and 200, got 0"))
    'top: must be between 1 and 200, got 0'
    """

    def __init__(self, name: str, reason: str):
        self.name = name
        self.reason = reason
        super().__init__(f"{name}: {reason}")
