"""`FruxonEmulator`'s changes from outside the program under test: what a dashboard user, an
admin's browser, a human on a credential link's page, or time, does to Fruxon."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from ._app import Application
from ._store import now_ms, set_auth, touch


class OutsideChanges:
    """Part of `FruxonEmulator`: drift made as a dashboard user would, the browser's side of
    consent and of credential links, and a link's expiry."""

    _app: Application

    # -- a dashboard user -----------------------------------------------------------------------

    def publish(self, config_id: str, note: str | None = None) -> dict[str, Any]:
        """Change from outside: publish the draft, as a dashboard user would. Returns the
        revision, unmasked."""
        with self._app.lock:
            config = self._app.store.configs[config_id]
            body = {} if note is None else {"note": note}
            return self._app.revisions.publish(config["integrationId"], config_id, body)

    def rollback(self, config_id: str, revision_id: str) -> None:
        """Change from outside: point the config at an earlier revision (no new version)."""
        with self._app.lock:
            config = self._app.store.configs[config_id]
            body = {"revisionId": revision_id}
            self._app.revisions.rollback(config["integrationId"], config_id, body)

    def patch_config(self, config_id: str, **body: Any) -> dict[str, Any]:
        """Drift from outside: PATCH the draft with wire fields (`displayName=...`,
        `parameters=...`), as a dashboard user would. Returns the config as GET shows it."""
        with self._app.lock:
            config = self._app.store.configs[config_id]
            patched = self._app.configs.patch(config["integrationId"], config_id, body)
            return self._app.store.view(patched)

    def remove_auth(self, config_id: str) -> None:
        """Drift from outside: unbind the config's auth, as a dashboard user would."""
        with self._app.lock:
            config = self._app.store.configs[config_id]
            set_auth(config, None)
            touch(config)

    def delete_config(self, config_id: str) -> None:
        """Drift from outside: delete the config. KeyError when unknown."""
        with self._app.lock:
            config = self._app.store.configs[config_id]
            self._app.configs.delete(config["integrationId"], config_id)

    # -- a browser ------------------------------------------------------------------------------

    @staticmethod
    def approve(authorization_url: str) -> str:
        """What the admin's browser does: open the consent URL over HTTP, follow the redirect
        to the success page, and return the `credentialKey` it carries.

        It needs no emulator object (`python -m pulumi_fruxon.testing approve URL` calls it on
        the class): the URL names the emulator that serves it."""
        # No proxies: the emulator is on loopback whatever the environment says.
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(authorization_url, timeout=30) as response:
                final_url: str = response.geturl()
                response.read()
        except urllib.error.HTTPError as error:
            raise RuntimeError(f"consent failed: {error.code} {_detail(error)}") from None
        keys: list[str] | None = urllib.parse.parse_qs(urllib.parse.urlsplit(final_url).query).get(
            "credentialKey"
        )
        if not keys:
            raise RuntimeError("the consent flow ended without a credentialKey")
        return keys[0]

    def fill_credential_link(self, url: str, values: dict[str, str]) -> dict[str, Any]:
        """What the human on the link page does: submit `values` (field name to value, e.g.
        `{"api_key": "..."}`) to the link's URL over HTTP, form-encoded. Fruxon sets the
        config's auth and publishes it. Returns `configId`, `revisionId` and `version` of the
        published revision. RuntimeError when the link refuses (used, expired, replaced)."""
        data = urllib.parse.urlencode(values).encode("utf-8")
        request = urllib.request.Request(
            url,
            data=data,
            method="POST",
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/json",
            },
        )
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(request, timeout=30) as response:
                result: dict[str, Any] = json.loads(response.read())
        except urllib.error.HTTPError as error:
            raise RuntimeError(
                f"the credential link refused: {error.code} {_detail(error)}"
            ) from None
        return result

    # -- time -----------------------------------------------------------------------------------

    def expire_credential_link(self, link_id: str) -> None:
        """What time does: the link's expiry moves to now. KeyError when unknown."""
        with self._app.lock:
            for link in self._app.links.by_hash.values():
                if link.id == link_id:
                    link.expires_at = min(link.expires_at, now_ms())
                    return
        raise KeyError(link_id)


def _detail(error: urllib.error.HTTPError) -> str:
    try:
        body = json.loads(error.read())
    except ValueError:
        return str(error.reason)
    return str(body.get("detail", "")) if isinstance(body, dict) else str(error.reason)
