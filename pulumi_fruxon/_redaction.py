"""Redaction: every form in which a secret can show up in text, replaced before anyone sees it.

A secret reaches a message in more shapes than its own: `repr` escapes it (`'a\\nb'`), a bytes
`repr` escapes it differently (httpx's "Illegal header value b'Bearer a\\nb'"), JSON escapes it,
a URL percent-encodes it. A server body may echo it anywhere, keys of nested objects and field
names of a validation `errors` map included. `Redactor` knows every one of those forms.

A secret shorter than `MIN_SECRET_LENGTH` cannot be cut out safely: its characters occur in
ordinary words, and what the cuts leave says what it is ("Bad R[redacted]qu[redacted]st" means
the secret is "e"). Such a secret is never searched for. Every text that could hold it is
withheld whole instead (`WITHHELD`), whatever it says, so that nothing shown depends on the
secret.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, quote_plus

REDACTED = "[redacted]"

# The shortest secret that is cut out of a text; a shorter one has the whole text withheld.
MIN_SECRET_LENGTH = 8

WITHHELD = "[detail withheld: it may contain a secret]"

# Why: appended where a whole answer or error text is withheld.
WITHHELD_REASON = (
    f"{WITHHELD} A secret sent with this request is shorter than {MIN_SECRET_LENGTH} "
    "characters, too short to cut out of a message safely, so nothing the server or the "
    "connection said is shown."
)


def _forms(secret: str) -> set[str]:
    return {
        secret,
        repr(secret)[1:-1],
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=False)[1:-1],
        repr(secret.encode("utf-8"))[2:-1],
        quote(secret, safe=""),
        quote_plus(secret, safe=""),
    }


class Redactor:
    """Replaces each given secret, in every form it may take, with `[redacted]`; or, when one
    of them is too short for that (`withholds`), withholds every text whole."""

    def __init__(self, secrets: Iterable[str]) -> None:
        forms: set[str] = set()
        self.withholds = False
        for secret in secrets:
            if not secret:
                continue
            if len(secret) < MIN_SECRET_LENGTH:
                self.withholds = True
            else:
                forms |= _forms(secret)
        # Longest first, so that no shorter form breaks up a longer one that contains it.
        self._forms = sorted(forms, key=len, reverse=True)

    def text(self, value: str) -> str:
        """`value` with every form of every secret replaced; `WITHHELD` if `withholds`."""
        if self.withholds:
            return WITHHELD
        for form in self._forms:
            if form in value:
                value = value.replace(form, REDACTED)
        return value

    def value(self, value: Any) -> Any:
        """A JSON value with every string redacted, object keys included, at any depth.

        None if `withholds`: no part of the value can be shown, not even a number.
        """
        if self.withholds:
            return None
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {self.value(k): self.value(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.value(v) for v in value]
        return value
