"""The floor of bench/stack.py: a dynamic resource that sends nothing.

`Floor` takes `IntegrationConfig`'s inputs and registers its output names, as ours does; its
provider creates by returning the inputs with every output filled by a placeholder, and diffs by
comparing inputs. So its state has the shape of ours, and what ours costs above it is our own
work, not the shape of the resource. It lives in an importable module, so that its provider
pickles by reference, as ours do (the benchmark puts bench/ on PYTHONPATH for the program and
the provider host).
"""

from __future__ import annotations

import uuid
from typing import Any

from pulumi.dynamic import CreateResult, DiffResult, Resource, ResourceProvider

# IntegrationConfig's outputs that are not inputs here (pulumi_fruxon.integration_config.OUTPUTS),
# spelled out so that the floor imports nothing of ours.
OUTPUTS = (
    "parameters",
    "auth_method",
    "publish",
    "publish_note",
    "workspace",
    "config_id",
    "has_auth",
    "secret_parameter_fingerprints",
    "published_revision_id",
    "published_version",
    "live",
)


class FloorProvider(ResourceProvider):
    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed = [k for k, v in news.items() if k != "__provider" and olds.get(k) != v]
        return DiffResult(changes=bool(changed), replaces=[])

    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult(uuid.uuid4().hex, {**props, **{k: f"{k}-value" for k in OUTPUTS}})


class Floor(Resource, module="bench", name="Floor"):
    def __init__(self, name: str, **inputs: Any) -> None:
        super().__init__(FloorProvider(), name, {**inputs, **dict.fromkeys(OUTPUTS)})
