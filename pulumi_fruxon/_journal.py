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
import os
import tempfile
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import pulumi

from pulumi_fruxon import _constants


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
    """The record of this key, if this machine sent it and has not settled it since.

    A record that cannot be read, or whose fields are not what `record` writes (edited by hand,
    truncated, from another tool), is ignored with a warning: it proves nothing, and a stack must
    never be stuck on a file nobody knows about.
    """
    path = _path(key_fingerprint)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        _warn(f"could not read the consume record {path} ({type(exc).__name__}); ignoring it")
        return None
    sent = _parse(text)
    if sent is None:
        _warn(
            f"the consume record {path} is not valid; ignoring it. Delete the file to silence "
            "this warning."
        )
    return sent


def _parse(text: str) -> SentConsume | None:
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict) or set(data) != {f.name for f in fields(SentConsume)}:
        return None
    ids = (data["workspace"], data["integration"], data["config_id"])
    if not all(isinstance(part, str) and part for part in ids):
        return None
    before = data["modified_at_before"]
    if before is not None and (isinstance(before, bool) or not isinstance(before, int)):
        return None
    return SentConsume(*ids, before)


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
        _warn(
            f"could not record the consume in {path.parent} ({type(exc).__name__}), so if this "
            "`pulumi up` dies before the result reaches state, the next one cannot recover the "
            f"binding by itself. Set {_constants.ENV_STATE_DIR} to a writable folder."
        )


def forget(key_fingerprint: str) -> None:
    """Drop the record once the consume's outcome is settled."""
    path = _path(key_fingerprint)
    try:
        path.unlink(missing_ok=True)
    except OSError as exc:
        _warn(f"could not remove the settled consume record {path} ({type(exc).__name__})")


def _warn(message: str) -> None:
    pulumi.log.warn(f"pulumi-fruxon: {message}")
