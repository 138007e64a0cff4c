"""What Pulumi's official Python language host reads from the installed package."""

from __future__ import annotations

import json
from importlib import resources


def test_pulumi_plugin_json_says_there_is_no_resource_plugin() -> None:
    # The official host treats every installed `pulumi-*` distribution as a resource plugin
    # named after it (`fruxon`) and tries to download `pulumi-resource-fruxon`, unless the
    # package's `pulumi-plugin.json` says `"resource": false`. Dynamic providers need none.
    plugin = resources.files("pulumi_fruxon") / "pulumi-plugin.json"
    assert json.loads(plugin.read_text()) == {"resource": False}


def test_the_package_ships_its_type_marker() -> None:
    assert (resources.files("pulumi_fruxon") / "py.typed").is_file()
