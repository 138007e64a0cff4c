"""`fingerprint`: the stand-in a state keeps for a secret. Standard library only, so that `diff`
can compare keys and parameters without loading pydantic."""

from __future__ import annotations

import hashlib


def fingerprint(value: str) -> str:
    """`sha256:<hex>` of a secret: enough to notice a change, useless to replay the value."""
    return "sha256:" + hashlib.sha256(value.encode("utf-8")).hexdigest()
