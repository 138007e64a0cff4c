"""A local Fruxon API emulator over real HTTP, for tests and local development.

```python
from pulumi_fruxon.testing import FruxonEmulator

with FruxonEmulator() as fx:
    fx.base_url, fx.token, fx.workspace
```

Emulator choices where upstream is undocumented (docs/fruxon-http-api.md#emulator):

- A valid token used at another workspace gets 403 (`code: workspace_mismatch`).
- A config PATCH whose `auth` names no `integrationAuthMetadataId` (e.g. `"auth": {}`) clears
  the auth; a null or absent `auth` keeps it.
- `:consumeOAuthCredentials` answers 200 with an empty body and writes the config's draft only;
  nothing is published (whether the real server publishes is undocumented). The bound OAuth
  tokens are kept as the draft's credentials: no GET shows them, `:publish` echoes them.
- Drafts and revisions: `:publish` snapshots the draft (parameters, auth with its credentials,
  authMap, sandboxMode) as the next immutable revision (version 1, 2, ...), points
  `publishedRevisionId` at it and echoes it unmasked, as Fruxon documents; it leaves the draft
  and its `modifiedAt` alone. `:rollback` repoints to an earlier revision without a new version
  and echoes it unmasked too. `GET .../revisions` and `GET .../revisions/{id}` mask secrets like
  a config GET and leave out `auth.parameters`.
- Secret parameters (`secret: true` in the integration's `parametersMetadata`) show as
  `********` in every config response. A create or PATCH that sends `********` back for one
  keeps the stored value (400 when there is none); `parameters` replaces the whole map.
- The consent URL is `<base_url>/oauth/consent?state=...`; it redirects to
  `/oauth/success?credentialKey=...`. Keys live `key_ttl` seconds (an invented default of 600).
- Credential links (`POST .../configs/{config}/credentialRequests`): the URL is
  `<base_url>/credential-links/<token>` and only a SHA-256 of the token is kept; the request log
  and problem bodies show the path as `/credential-links/[redacted]`. 409 `not_linkable` also
  covers a config with no auth method chosen (the page would not know what to ask for), and a
  method whose type (or `userCredentialAuthType`) is not API_KEY, BEARER_TOKEN or BASIC_AUTH.
  The page (GET) is an HTML form of the method's `parametersMetadata`; a form-encoded POST (a
  browser, or `curl -d api_key=... <url>`) or a JSON object fills it. Every non-empty value is
  accepted (nothing is tested against a service). Filling sets the config's auth at APPLICATION
  level with those credentials and publishes the draft as the next revision, with the link's
  note (or "Filled through a credential link"). No sign-in is modelled: whoever holds a SIGN_IN
  link can fill it. A used, expired or replaced link (or one whose config was deleted or no
  longer linkable) answers 410 with `code` `credential_link_filled`, `_expired` or
  `_withdrawn`; an unknown one 404. Refusals are HTML, or problem+json to `Accept:
  application/json`. The default token also holds `workspace:write`, which a link with
  `requireSignIn: false` needs.
"""

from ._emulator import FruxonEmulator
from ._log import RequestRecord
from ._routes import ROUTES

__all__ = ["ROUTES", "FruxonEmulator", "RequestRecord"]
