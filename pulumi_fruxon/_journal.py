"""A local record of the credential keys this machine sent to `:consumeOAuthCredentials`.

If `pulumi up` dies after Fruxon processed a consume (a killed process, a dropped connection
followed by a failed re-read, a long outage), the `IntegrationAuth` never reaches state. The next
`up` sends the same key again and Fruxon answers that it is spent. This record is the evidence
that lets that `up` converge without a new consent: this machine sent *this* key (by fingerprint)
to *this* config when the config's `modifiedAt` was T; a binding on the config modified after T
is that consume's (docs/decisions.md#spent-key-recovery).

It holds fingerprints, ids and a server timestamp, never a key. One small JSON file per key in
`$FRUXON_STATE_DIR`, else `$XDG_STATE_HOME/pulumi-fruxon`, else `~/.local/state/pulumi-fruxon`.
It is best effort: a machine that cannot write there loses only the automatic recovery.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

from pulumi_fruxon import _constants

log = logging.getLogger("pulumi_fruxon")


@dataclass(frozen=True)
class SentConsume:
    """One consume this machine sent, and what the config looked like just before."""

    workspace: str
    integration: str
    config_id: str
    modified_at_before: int | None

    def concerns(self, workspace: str, integration: str, config_id: str) -> bool:
        return (self.workspace, self.integration, self.config_id) == (
            workspace,
            integration,
            config_id,
        )


def directory() -> Path:
    """Where the records live; see the module docstring."""
    explicit = os.environ.get(_constants.ENV_STATE_DIR)
    if explicit:
        return Path(explicit)
    state_home = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state_home) / "pulumi-fruxon"


def _path(key_fingerprint: str) -> Path:
    return directory() / "consumes" / (key_fingerprint.removeprefix("sha256:") + ".json")


def recall(key_fingerprint: str) -> SentConsume | None:
    """The record of this key, if this machine sent it and has not settled it since."""
    try:
        data = json.loads(_path(key_fingerprint).read_text(encoding="utf-8"))
        return SentConsume(**data)
    except (OSError, ValueError, TypeError):
        return None


def record(key_fingerprint: str, sent: SentConsume) -> None:
    """Note a consume about to be sent. An earlier record of the same key is kept: the bind
    may have happened at that earlier attempt."""
    if recall(key_fingerprint) is not None:
        return
    path = _path(key_fingerprint)
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        with tempfile.NamedTemporaryFile(
            "w", dir=path.parent, delete=False, encoding="utf-8", suffix=".tmp"
        ) as handle:
            json.dump(asdict(sent), handle)
        os.replace(handle.name, path)
    except OSError as exc:
        log.debug("could not record a consume in %s: %s", path.parent, type(exc).__name__)


def forget(key_fingerprint: str) -> None:
    """Drop the record once the consume's outcome is settled."""
    try:
        _path(key_fingerprint).unlink(missing_ok=True)
    except OSError as exc:
        log.debug("could not forget a consume record: %s", type(exc).__name__)
