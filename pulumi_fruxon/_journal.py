"""A local record of the writes this machine sent whose outcome may never reach the stack.

Two writes cannot be retried blindly, and can succeed in Fruxon while the `pulumi up` that sent
them dies (a killed process, a dropped connection followed by a failed re-read, a long outage):

- a consume (`:consumeOAuthCredentials`): the next `up` sends the same key again and Fruxon
  answers that it is spent. The record is the evidence that lets that `up` converge without a
  new consent: this machine sent *this* key (by fingerprint) to *this* config when the config's
  `modifiedAt` was T; a binding on the config modified after T is that consume's
  (docs/decisions.md#spent-key-recovery). It is settled once the binding is seen in the stack's
  state (a later `diff` or `read` of the resource), not when the provider returned it: the
  engine may never have received that answer.
- a config create (`POST …/configs`): the next `up` would create a second config. The record
  keeps which configs of that name existed before, so that a config of that name that appeared
  since is adopted instead of created again.

Records hold fingerprints, ids, names and server timestamps, never a key or a secret. One small
JSON file per record in `$FRUXON_STATE_DIR`, else `$XDG_STATE_HOME/pulumi-fruxon`, else
`~/.local/state/pulumi-fruxon`. It is best effort: a machine that cannot write there loses only
the automatic recovery, and says so.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any, Generic, TypeVar

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

    @classmethod
    def parse(cls, data: dict[str, Any]) -> SentConsume | None:
        ids = (data["workspace"], data["integration"], data["config_id"])
        before = data["modified_at_before"]
        if not all(_is_text(part) for part in ids) or not _is_int_or_none(before):
            return None
        return cls(*ids, before)


@dataclass(frozen=True)
class SentCreate:
    """One config create this machine sent, and the configs of that name that existed before."""

    workspace: str
    integration: str
    display_name: str
    existing_ids: tuple[str, ...]

    @classmethod
    def parse(cls, data: dict[str, Any]) -> SentCreate | None:
        ids = (data["workspace"], data["integration"], data["display_name"])
        existing = data["existing_ids"]
        if not all(_is_text(part) for part in ids) or not isinstance(existing, list):
            return None
        if not all(_is_text(item) for item in existing):
            return None
        return cls(*ids, tuple(existing))

    @staticmethod
    def key(workspace: str, integration: str, display_name: str) -> str:
        """The record's file name: the same config declared again finds it."""
        text = json.dumps([workspace, integration.lower(), display_name])
        return hashlib.sha256(text.encode()).hexdigest()


RecordT = TypeVar("RecordT", SentConsume, SentCreate)


class Records(Generic[RecordT]):
    """The records of one kind, one JSON file each, named by a key."""

    def __init__(self, folder: str, kind: type[RecordT]) -> None:
        self._folder = folder
        self._names = frozenset(f.name for f in fields(kind))
        self._parse_fields: Callable[[dict[str, Any]], RecordT | None] = kind.parse

    def path(self, key: str) -> Path:
        return directory() / self._folder / (key.removeprefix("sha256:") + ".json")

    def recall(self, key: str) -> RecordT | None:
        """The record, if this machine wrote it and has not settled it since.

        A record that cannot be read, or whose fields are not what `record` writes (edited by
        hand, truncated, from another tool), is ignored with a warning: it proves nothing, and a
        stack must never be stuck on a file nobody knows about.
        """
        path = self.path(key)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except OSError as exc:
            _warn(f"could not read the record {path} ({type(exc).__name__}); ignoring it")
            return None
        found = self._parse(text)
        if found is None:
            _warn(
                f"the record {path} is not valid; ignoring it. Delete the file to silence this "
                "warning."
            )
        return found

    def _parse(self, text: str) -> RecordT | None:
        try:
            data = json.loads(text)
        except ValueError:
            return None
        if not isinstance(data, dict) or set(data) != self._names:
            return None
        return self._parse_fields(data)

    def record(self, key: str, sent: RecordT) -> None:
        """Note a write about to be sent. An earlier record under the same key is kept: the
        write may have happened at that earlier attempt."""
        path = self.path(key)
        if path.exists() and self.recall(key) is not None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            with tempfile.NamedTemporaryFile(
                "w", dir=path.parent, delete=False, encoding="utf-8", suffix=".tmp"
            ) as handle:
                json.dump(asdict(sent), handle)
            os.replace(handle.name, path)
        except OSError as exc:
            _warn(
                f"could not record the write in {path.parent} ({type(exc).__name__}), so if "
                "this `pulumi up` dies before the result reaches state, the next one cannot "
                f"recover it by itself. Set {_constants.ENV_STATE_DIR} to a writable folder."
            )

    def forget(self, key: str) -> None:
        """Drop the record once the write's outcome is settled."""
        path = self.path(key)
        try:
            path.unlink(missing_ok=True)
        except OSError as exc:
            _warn(f"could not remove the settled record {path} ({type(exc).__name__})")


CONSUMES: Records[SentConsume] = Records("consumes", SentConsume)
CREATES: Records[SentCreate] = Records("creates", SentCreate)


def directory() -> Path:
    """Where the records live; see the module docstring."""
    explicit = os.environ.get(_constants.ENV_STATE_DIR)
    if explicit:
        return Path(explicit)
    state_home = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state_home) / "pulumi-fruxon"


def _is_text(value: object) -> bool:
    return isinstance(value, str) and bool(value)


def _is_int_or_none(value: object) -> bool:
    return value is None or (isinstance(value, int) and not isinstance(value, bool))


def _warn(message: str) -> None:
    pulumi.log.warn(f"pulumi-fruxon: {message}")
