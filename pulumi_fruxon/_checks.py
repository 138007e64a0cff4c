"""Input values as `check` and `diff` see them: unknowns, comparable forms, and the checks.

`Checker` is the one way a provider's `validate` checks an input: each rule is a method, each
failure a `CheckFailure` naming the property and the value (never a secret one). Nothing here
talks to Fruxon: `check` and `diff` run offline, in preview too.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from typing import Any

from pulumi.dynamic import CheckFailure
from pulumi.output import Unknown
from pulumi.runtime import rpc

from pulumi_fruxon import _constants
from pulumi_fruxon._urls import return_url_problem

# Fruxon ids are "letters, numbers, underscores, hyphens" (docs/fruxon-http-api.md#ids).
_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_MAX_SHOWN = 60


def is_unknown(value: Any) -> bool:
    """Whether `value` is unknown during preview (the decoded `Unknown` or the raw sentinel)."""
    return isinstance(value, Unknown) or (isinstance(value, str) and value == rpc.UNKNOWN)


def contains_unknown(value: Any) -> bool:
    """Whether `value` is unknown or holds an unknown anywhere inside lists and maps."""
    if is_unknown(value):
        return True
    if isinstance(value, Mapping):
        return any(contains_unknown(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(contains_unknown(v) for v in value)
    return False


def comparable(value: Any) -> Any:
    """A value as `diff` compares it: text stripped; absent, None, "" and empty collections
    alike (an input left out and one set to nothing mean the same)."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, list | tuple):
        return [comparable(v) for v in value] or None
    if isinstance(value, Mapping):
        return {k: comparable(v) for k, v in value.items()} or None
    return value


def number(value: Any) -> float | None:
    """A number from state, or None. The engine stores numbers as doubles, so an int output
    comes back as a float."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value


def shown(value: Any) -> str:
    """A value for an error message: its repr whole, or, when that is long, only what it is.

    Never a part of it: the engine masks a secret in what the CLI prints only where the secret
    appears whole, so a value cut short could show most of one.
    """
    text = repr(value)
    if len(text) <= _MAX_SHOWN:
        return text
    if isinstance(value, str | Mapping | list | tuple):
        return f"a {type(value).__name__} of length {len(value)}"
    return f"a {type(value).__name__}"


class Checker:
    """Collects `CheckFailure`s and normalized values for one `check` call.

    Every method tolerates any value (a property test throws arbitrary inputs at `check`) and
    leaves unknown values alone: they are validated on the `check` that runs once they are known.
    """

    def __init__(self, news: Mapping[Any, Any]) -> None:
        self.news = news
        self.inputs: dict[str, Any] = {k: v for k, v in news.items() if isinstance(k, str)}
        self.failures: list[CheckFailure] = []

    def fail(self, prop: str, reason: str) -> None:
        self.failures.append(CheckFailure(prop, reason))

    def _present(self, prop: str, required: bool) -> bool:
        value = self.news.get(prop)
        if value is None:
            if required:
                self.fail(prop, f"{prop} is required")
            return False
        return not is_unknown(value)

    def slug(self, prop: str, *, required: bool = True) -> None:
        if not self._present(prop, required):
            return
        value = self.news[prop]
        if not isinstance(value, str) or not _SLUG.match(value.strip()):
            self.fail(
                prop,
                f"{prop} must be a Fruxon id (letters, digits, '_' and '-'), got {shown(value)}",
            )
            return
        if len(value.strip()) > _constants.MAX_ID_LENGTH:
            self.fail(
                prop,
                f"{prop} must be at most {_constants.MAX_ID_LENGTH} characters long, got "
                f"{len(value.strip())}: {shown(value)}",
            )
            return
        self.inputs[prop] = value.strip()

    def uuid(self, prop: str) -> None:
        if not self._present(prop, True):
            return
        value = self.news[prop]
        if not isinstance(value, str) or not _UUID.match(value.strip()):
            self.fail(prop, f"{prop} must be a UUID like 0b6f...-...-..., got {shown(value)}")
            return
        self.inputs[prop] = str(uuid.UUID(value.strip()))

    def secret_string(self, prop: str, *, when_empty: str = "") -> None:
        """A required non-empty string whose value never appears in a reason; `when_empty`
        says where an empty one comes from."""
        if not self._present(prop, True):
            return
        value = self.news[prop]
        if not isinstance(value, str) or not value.strip():
            empty = isinstance(value, str) and when_empty
            self.fail(
                prop,
                f"{prop} must be a non-empty string (got "
                + (f"an empty one). {when_empty}" if empty else f"a {type(value).__name__})"),
            )
            return
        self.inputs[prop] = value.strip()

    def string_list(self, prop: str) -> None:
        if not self._present(prop, False):
            return
        value = self.news[prop]
        if not isinstance(value, list | tuple) or not all(
            is_unknown(v) or (isinstance(v, str) and v.strip()) for v in value
        ):
            self.fail(prop, f"{prop} must be a list of non-empty strings, got {shown(value)}")
            return
        self.inputs[prop] = [v if is_unknown(v) else v.strip() for v in value]

    def string_map(self, prop: str, *, secret: bool = False) -> None:
        """An optional map of strings; with `secret`, a reason never shows a value."""
        if not self._present(prop, False):
            return
        value = self.news[prop]
        if not isinstance(value, Mapping):
            got = f"a {type(value).__name__}" if secret else shown(value)
            self.fail(prop, f"{prop} must be a map of strings to strings, got {got}")
            return
        wrong = {
            k: v
            for k, v in value.items()
            if not isinstance(k, str) or not (is_unknown(v) or isinstance(v, str))
        }
        if wrong:
            # Each entry alone, by its key: a value beside it may be a secret.
            got = ", ".join(
                f"{shown(k)}: a {type(v).__name__}" if secret else f"{shown(k)}: {shown(v)}"
                for k, v in wrong.items()
            )
            self.fail(prop, f"{prop} must be a map of strings to strings, got {got}")
            return
        self.inputs[prop] = dict(value)

    def scalar(self, prop: str) -> None:
        """An optional string or number, such as a `rotation`."""
        value = self.news.get(prop)
        if value is None or contains_unknown(value):
            return
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.fail(prop, f"{prop} must be a string or a number, got {shown(value)}")

    def text(self, prop: str, *, required: bool = True) -> None:
        """A non-empty string, stripped."""
        if not self._present(prop, required):
            return
        value = self.news[prop]
        if not isinstance(value, str) or not value.strip():
            self.fail(prop, f"{prop} must be a non-empty string, got {shown(value)}")
            return
        self.inputs[prop] = value.strip()

    def boolean(self, prop: str, *, default: bool) -> None:
        """An optional bool; absent means `default`."""
        value = self.news.get(prop)
        if value is None:
            self.inputs[prop] = default
        elif not is_unknown(value) and not isinstance(value, bool):
            self.fail(prop, f"{prop} must be true or false, got {shown(value)}")

    def return_url(self, prop: str) -> None:
        """An optional path that every browser resolves to Fruxon's own origin (`_urls`)."""
        value = self.news.get(prop)
        if value is None or contains_unknown(value):
            return
        problem = (
            return_url_problem(value.strip())
            if isinstance(value, str)
            else "must be a string, a relative path like '/integrations'"
        )
        if problem:
            self.fail(prop, f"{prop} {problem}, got {shown(value)}")
        else:
            self.inputs[prop] = value.strip()

    def email(self, prop: str) -> None:
        """An optional e-mail address, stripped."""
        value = self.news.get(prop)
        if value is None or is_unknown(value):
            return
        if isinstance(value, str) and _is_email(value.strip()):
            self.inputs[prop] = value.strip()
        else:
            self.fail(prop, f"{prop} must be an email address, got {shown(value)}")

    def whole_number(self, prop: str, *, low: int, high: int, unset: str) -> None:
        """An optional whole number from `low` to `high`; `unset` says what leaving it out means.
        The engine sends every number as a float, so 24.0 is 24."""
        value = self.news.get(prop)
        if value is None or is_unknown(value):
            return
        whole = whole_number(value)
        if whole is not None and low <= whole <= high:
            self.inputs[prop] = whole
        else:
            self.fail(
                prop,
                f"{prop} must be a whole number from {low} to {high} ({unset}), got {shown(value)}",
            )


def whole_number(value: Any) -> int | None:
    """A whole number as an int (the engine sends every number as a float), else None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and not value.is_integer():
        return None
    return int(value)


def _is_email(value: str) -> bool:
    local, at, domain = value.partition("@")
    return bool(at and local and domain) and not any(c.isspace() for c in value)
