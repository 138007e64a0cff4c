"""`CredentialLink` through the real host, `python -m pulumi.dynamic`, over gRPC.

One test per rule of its life cycle, driven the way the CLI drives the host (see
`tests/support/host.py`) against a fresh emulator, plus a scan for the secrets involved.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

import pytest
from pulumi.runtime import rpc

from pulumi_fruxon.credential_link import CredentialLinkProvider
from pulumi_fruxon.testing import FruxonEmulator
from tests.support.host import (
    CREDENTIAL_LINK,
    HostError,
    ProviderHost,
    Stack,
    deserialize,
    program_inputs,
    stack_config,
)

HostFactory = Callable[..., ProviderHost]
WRITES = {"POST", "PATCH", "PUT", "DELETE"}
API_KEY = "sk_live_typed_by_a_human_0123456789"
ISO_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def link_inputs(config_id: str, **extra: Any) -> dict[str, Any]:
    return program_inputs(
        CredentialLinkProvider(), integration="stripe", integration_config_id=config_id, **extra
    )


def setup(start_host: HostFactory, fx: FruxonEmulator) -> tuple[ProviderHost, Stack, str]:
    """A configured host, a stack of one CredentialLink, and a Stripe config it can fill."""
    provider_host = start_host()
    provider_host.configure(stack_config(fx), secret_keys=["fruxon:token"])
    config_id = fx.add_config("stripe", display_name="Stripe via link", auth_method_id="api_key")
    return provider_host, Stack(provider_host, CREDENTIAL_LINK), config_id


def outputs(stack: Stack) -> dict[str, Any]:
    assert stack.state is not None
    return stack.state.outputs


def unix_ms(iso: str) -> int:
    return round(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() * 1000)


def writes(fx: FruxonEmulator) -> list[str]:
    return [r.route for r in fx.requests if r.method in WRITES]


def let_expire(stack: Stack, fx: FruxonEmulator) -> None:
    """Time reaches the link's expiry, for the emulator and for the provider. The host's clock
    cannot be moved, so the expiry stored in state moves back to now instead (after anything
    the test did before): the provider compares it with the clock on refresh."""
    assert stack.state is not None
    fx.expire_credential_link(stack.state.outputs["link_id"])
    now = datetime.now(timezone.utc)
    stack.state.outputs["expires_at"] = now.isoformat(timespec="milliseconds").replace(
        "+00:00", "Z"
    )


# -- minted once, never in preview --------------------------------------------------------------


def test_preview_mints_nothing_and_accepts_unknowns(
    start_host: HostFactory, emulator: FruxonEmulator
) -> None:
    provider_host, stack, config_id = setup(start_host, emulator)

    checked = provider_host.check(CREDENTIAL_LINK, link_inputs(rpc.UNKNOWN, note=rpc.UNKNOWN))
    assert checked.failures == []
    assert stack.preview(link_inputs(config_id)) == "create"

    assert emulator.requests == []
    assert emulator.credential_links() == []


def test_up_mints_one_link_with_its_outputs(
    start_host: HostFactory, emulator: FruxonEmulator
) -> None:
    _, stack, config_id = setup(start_host, emulator)

    assert stack.up(link_inputs(config_id, note="Stripe live key", ttl_hours=48)) == "create"

    assert emulator.count("createCredentialLink") == 1
    [record] = emulator.credential_links(config_id)
    out = outputs(stack)
    assert stack.state is not None
    assert stack.state.id == f"{emulator.workspace}/stripe/{config_id}/{record['id']}"
    assert out["url"].startswith(emulator.base_url + "/credential-links/")
    assert stack.state.secret_outputs == {"url", "__provider"}
    assert out["link_id"] == record["id"]
    assert out["mode"] == "SIGN_IN"
    assert out["require_sign_in"] is True
    assert ISO_MS.match(out["expires_at"]) and ISO_MS.match(out["created_at"])
    assert unix_ms(out["expires_at"]) == record["expiresAt"]
    assert unix_ms(out["created_at"]) == record["createdAt"]
    assert out["ttl_hours"] == 48  # the engine sent 48.0; it is stored whole
    assert out["note"] == "Stripe live key"
    assert (out["filled"], out["expired"]) == (False, False)


def test_the_link_is_stable_and_a_second_up_sends_nothing(
    start_host: HostFactory, emulator: FruxonEmulator
) -> None:
    _, stack, config_id = setup(start_host, emulator)
    stack.up(link_inputs(config_id))
    url = outputs(stack)["url"]
    emulator.clear_requests()

    # Unset and default values are alike: no new link for spelling out the defaults.
    assert stack.up(link_inputs(config_id)) == "same"
    assert stack.up(link_inputs(config_id, ttl_hours=168, require_sign_in=True)) == "same"
    assert stack.up(link_inputs(config_id.upper())) == "same"

    assert emulator.requests == []
    assert outputs(stack)["url"] == url


# -- rotation, or any other input change, replaces ------------------------------------------------


def test_rotation_mints_a_new_link_that_replaces_the_open_one(
    start_host: HostFactory, emulator: FruxonEmulator
) -> None:
    _, stack, config_id = setup(start_host, emulator)
    stack.up(link_inputs(config_id, rotation="2026-11"))
    first = outputs(stack)
    emulator.clear_requests()

    assert stack.up(link_inputs(config_id, rotation="2026-12")) == "replace"

    second = outputs(stack)
    assert second["url"] != first["url"]
    assert second["link_id"] != first["link_id"]
    assert writes(emulator) == ["createCredentialLink"]  # the old one's delete sends nothing
    statuses = {r["id"]: r["status"] for r in emulator.credential_links(config_id)}
    assert statuses == {first["link_id"]: "WITHDRAWN", second["link_id"]: "OPEN"}
    with pytest.raises(RuntimeError, match="410"):
        emulator.fill_credential_link(first["url"], {"api_key": API_KEY})


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("note", "for finance"),
        ("ttl_hours", 24),
        ("require_sign_in", False),
        ("intended_for_email", "cfo@example.com"),
        ("workspace", "elsewhere"),
    ],
)
def test_any_input_change_replaces(
    start_host: HostFactory, emulator: FruxonEmulator, key: str, value: Any
) -> None:
    provider_host, stack, config_id = setup(start_host, emulator)
    stack.up(link_inputs(config_id))
    assert stack.state is not None
    emulator.clear_requests()

    checked = provider_host.check(CREDENTIAL_LINK, link_inputs(config_id, **{key: value}))
    diffed = provider_host.diff(
        CREDENTIAL_LINK, stack.state.id, stack.state.outputs, checked.inputs
    )

    assert (diffed.changes, diffed.replaces) == ("some", [key])
    assert emulator.requests == []


def test_another_config_replaces(start_host: HostFactory, emulator: FruxonEmulator) -> None:
    _, stack, config_id = setup(start_host, emulator)
    stack.up(link_inputs(config_id))
    other = emulator.add_config("stripe", display_name="Stripe test", auth_method_id="api_key")

    assert stack.up(link_inputs(other)) == "replace"

    assert outputs(stack)["integration_config_id"] == other
    assert [r["status"] for r in emulator.credential_links(config_id)] == ["OPEN"]
    assert [r["status"] for r in emulator.credential_links(other)] == ["OPEN"]


# -- filled, read on refresh ----------------------------------------------------------------------


def test_refresh_reads_filled_and_the_next_up_is_quiet(
    start_host: HostFactory, emulator: FruxonEmulator
) -> None:
    _, stack, config_id = setup(start_host, emulator)
    stack.up(link_inputs(config_id))
    emulator.clear_requests()
    assert stack.refresh() == "same"
    assert outputs(stack)["filled"] is False
    assert writes(emulator) == []

    emulator.fill_credential_link(outputs(stack)["url"], {"api_key": API_KEY})
    emulator.clear_requests()

    assert stack.refresh() == "same"
    assert outputs(stack)["filled"] is True
    assert outputs(stack)["expired"] is False
    assert [r.route for r in emulator.requests] == ["listRevisions"]
    emulator.clear_requests()
    assert stack.up(link_inputs(config_id)) == "same"
    assert emulator.requests == []


def test_an_older_publish_is_not_a_fill(start_host: HostFactory, emulator: FruxonEmulator) -> None:
    _, stack, config_id = setup(start_host, emulator)
    emulator.publish(config_id, note="before the link")  # has auth, but predates the link
    stack.up(link_inputs(config_id))

    assert stack.refresh() == "same"
    assert outputs(stack)["filled"] is False


def test_a_publish_of_the_auth_method_alone_is_not_a_fill(
    start_host: HostFactory, emulator: FruxonEmulator
) -> None:
    """Issue 17, defect 7: the stack's own config update published a revision "with auth" (the
    method, no credentials), and refresh counted it as a fill."""
    _, stack, _ = setup(start_host, emulator)
    # As an IntegrationConfig with `auth_method` makes it: the method chosen, no credentials.
    config_id = emulator.add_config("stripe", display_name="Stripe, method only")
    emulator.patch_config(config_id, auth={"integrationAuthMetadataId": "api_key"})
    stack.up(link_inputs(config_id))
    emulator.patch_config(config_id, displayName="Stripe renamed")
    emulator.publish(config_id, note="an IntegrationConfig update")

    assert stack.refresh() == "same"
    assert outputs(stack)["filled"] is False
    emulator.fill_credential_link(outputs(stack)["url"], {"api_key": API_KEY})
    assert stack.refresh() == "same"
    assert outputs(stack)["filled"] is True


def test_credentials_there_before_the_mint_are_not_a_fill(
    start_host: HostFactory, emulator: FruxonEmulator
) -> None:
    _, stack, config_id = setup(start_host, emulator)
    first = Stack(stack.host, CREDENTIAL_LINK)
    first.up(link_inputs(config_id, rotation="first"))
    emulator.fill_credential_link(outputs(first)["url"], {"api_key": API_KEY})
    stack.up(link_inputs(config_id))
    emulator.publish(config_id, note="a republish that carries the first link's key")

    assert stack.refresh() == "same"
    assert outputs(stack)["filled"] is False


def test_filled_survives_a_rollback(start_host: HostFactory, emulator: FruxonEmulator) -> None:
    _, stack, config_id = setup(start_host, emulator)
    before = emulator.publish(config_id)
    stack.up(link_inputs(config_id))
    emulator.fill_credential_link(outputs(stack)["url"], {"api_key": API_KEY})
    emulator.rollback(config_id, before["id"])

    assert stack.refresh() == "same"
    assert outputs(stack)["filled"] is True  # the link was used, whatever is live now


def test_a_deleted_config_takes_the_link_out_of_the_stack(
    start_host: HostFactory, emulator: FruxonEmulator
) -> None:
    _, stack, config_id = setup(start_host, emulator)
    stack.up(link_inputs(config_id))
    emulator.delete_config(config_id)

    assert stack.refresh() == "deleted"
    assert stack.state is None


# -- an expired, unfilled link --------------------------------------------------------------------


def test_expired_unfilled_shows_on_refresh_and_the_next_up_mints_once(
    start_host: HostFactory, emulator: FruxonEmulator
) -> None:
    provider_host, stack, config_id = setup(start_host, emulator)
    stack.up(link_inputs(config_id))
    first = outputs(stack)
    let_expire(stack, emulator)
    emulator.clear_requests()

    # Without a refresh nothing changes: diff never reads the clock.
    assert stack.up(link_inputs(config_id)) == "same"
    assert emulator.requests == []

    assert stack.refresh() == "update"
    assert (outputs(stack)["expired"], outputs(stack)["filled"]) == (True, False)
    assert stack.state is not None
    checked = provider_host.check(CREDENTIAL_LINK, link_inputs(config_id), stack.state.inputs)
    diffed = provider_host.diff(
        CREDENTIAL_LINK, stack.state.id, stack.state.outputs, checked.inputs
    )
    assert diffed.replaces == ["expires_at"]
    emulator.clear_requests()

    assert stack.up(link_inputs(config_id)) == "replace"
    assert writes(emulator) == ["createCredentialLink"]
    second = outputs(stack)
    assert second["link_id"] != first["link_id"]
    assert (second["expired"], second["filled"]) == (False, False)

    # No churn: the fresh link is kept by the next up, and by a refresh and the up after it.
    emulator.clear_requests()
    assert stack.up(link_inputs(config_id)) == "same"
    assert stack.refresh() == "same"
    assert stack.up(link_inputs(config_id)) == "same"
    assert writes(emulator) == []
    assert emulator.fill_credential_link(second["url"], {"api_key": API_KEY})["version"] == 1


def test_a_filled_link_is_never_re_minted_after_it_expires(
    start_host: HostFactory, emulator: FruxonEmulator
) -> None:
    _, stack, config_id = setup(start_host, emulator)
    stack.up(link_inputs(config_id))
    emulator.fill_credential_link(outputs(stack)["url"], {"api_key": API_KEY})
    let_expire(stack, emulator)
    emulator.clear_requests()

    assert stack.refresh() == "same"
    assert (outputs(stack)["filled"], outputs(stack)["expired"]) == (True, False)
    assert stack.up(link_inputs(config_id)) == "same"
    assert writes(emulator) == []


# -- errors ---------------------------------------------------------------------------------------


def test_not_linkable_points_oauth_users_to_authorization_url(
    start_host: HostFactory, emulator: FruxonEmulator
) -> None:
    provider_host, _, _ = setup(start_host, emulator)
    slack = emulator.list_configs("slack")[0]["id"]
    inputs = program_inputs(
        CredentialLinkProvider(), integration="slack", integration_config_id=slack
    )

    with pytest.raises(HostError) as failure:
        Stack(provider_host, CREDENTIAL_LINK).up(inputs)

    details = failure.value.details
    assert "ConfigNotLinkableError" in details
    assert "not_linkable" in details
    assert "AuthorizationUrl" in details and "IntegrationAuth" in details
    assert slack in details


def test_an_unknown_config_says_so(start_host: HostFactory, emulator: FruxonEmulator) -> None:
    _, stack, _ = setup(start_host, emulator)
    missing = "00000000-0000-4000-8000-000000000000"
    with pytest.raises(HostError) as failure:
        stack.up(link_inputs(missing))
    assert "does not exist" in failure.value.details
    assert "get_integration_configs" in failure.value.details


@pytest.mark.parametrize("ttl_hours", [0, 721, -1, 2.5, "48", True])
def test_ttl_hours_out_of_range_fails_in_check(
    start_host: HostFactory, emulator: FruxonEmulator, ttl_hours: Any
) -> None:
    provider_host, _, config_id = setup(start_host, emulator)

    checked = provider_host.check(CREDENTIAL_LINK, link_inputs(config_id, ttl_hours=ttl_hours))

    assert [prop for prop, _ in checked.failures] == ["ttl_hours"]
    assert "from 1 to 720" in checked.failures[0][1]
    assert emulator.requests == []


def test_other_check_failures_name_their_property(
    start_host: HostFactory, emulator: FruxonEmulator
) -> None:
    provider_host, _, _ = setup(start_host, emulator)
    bad = link_inputs("not-a-uuid", intended_for_email="nobody", require_sign_in="yes")
    checked = provider_host.check(CREDENTIAL_LINK, bad)
    assert sorted(prop for prop, _ in checked.failures) == [
        "integration_config_id",
        "intended_for_email",
        "require_sign_in",
    ]


# -- deleting, and the secrets ------------------------------------------------------------------


def test_destroy_sends_nothing_and_warns_about_an_open_capability_link(
    start_host: HostFactory, emulator: FruxonEmulator
) -> None:
    provider_host, stack, config_id = setup(start_host, emulator)
    stack.up(link_inputs(config_id, require_sign_in=False))
    assert outputs(stack)["mode"] == "CAPABILITY"
    link_id = outputs(stack)["link_id"]
    emulator.clear_requests()

    stack.destroy()

    assert emulator.requests == []
    warnings = [line for line in provider_host.stderr.splitlines() if link_id in line]
    assert len(warnings) == 1
    assert "no API to withdraw" in warnings[0]


def test_secrets_appear_only_in_the_url_output(
    start_host: HostFactory, emulator: FruxonEmulator
) -> None:
    provider_host, stack, config_id = setup(start_host, emulator)
    stack.up(link_inputs(config_id, require_sign_in=False))
    url = outputs(stack)["url"]
    token = url.rsplit("/", 1)[1]
    emulator.fill_credential_link(url, {"api_key": API_KEY})
    stack.refresh()
    stack.up(link_inputs(config_id, require_sign_in=False, rotation=1))
    slack = emulator.list_configs("slack")[0]["id"]
    with pytest.raises(HostError):
        Stack(provider_host, CREDENTIAL_LINK).up(
            program_inputs(
                CredentialLinkProvider(), integration="slack", integration_config_id=slack
            )
        )
    stack.destroy()

    produced = provider_host.produced_text()
    # What the human typed never reaches the host: not in any response, error or log line.
    assert API_KEY not in produced
    assert emulator.token not in produced
    # The link's token is only ever the value of `url`.
    for method, item in provider_host.transcript:
        if isinstance(item, HostError):
            assert token not in item.details
        elif method in ("Create", "Read", "Update"):
            props = {k: v for k, v in _properties(item).items() if k != "url"}
            assert token not in repr(props)
        else:
            assert token not in str(item)
    assert token not in provider_host.stderr


def _properties(response: Any) -> dict[str, Any]:
    return deserialize(response.properties)


def test_a_new_note_on_a_filled_link_mints_nothing(
    start_host: HostFactory, emulator: FruxonEmulator
) -> None:
    """Issue 17: it used to replace the link, which opened a new one for the filled config."""
    _, stack, config_id = setup(start_host, emulator)
    stack.up(link_inputs(config_id, note="first"))
    url = outputs(stack)["url"]
    emulator.fill_credential_link(url, {"api_key": API_KEY})
    assert stack.refresh() == "same" and outputs(stack)["filled"] is True
    emulator.clear_requests()

    assert stack.preview(link_inputs(config_id, note="renamed")) == "update"
    assert stack.up(link_inputs(config_id, note="renamed")) == "update"

    assert writes(emulator) == []
    assert (outputs(stack)["url"], outputs(stack)["note"]) == (url, "renamed")
    assert stack.up(link_inputs(config_id, note="renamed")) == "same"
    # A link not filled yet is re-minted with the new note, as before.
    open_link = Stack(stack.host, CREDENTIAL_LINK)
    open_link.up(link_inputs(config_id, note="a"))
    assert open_link.up(link_inputs(config_id, note="b")) == "replace"
