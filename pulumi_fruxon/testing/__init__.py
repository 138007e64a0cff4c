"""A local Fruxon API emulator over real HTTP, for tests and local development.

```python
from pulumi_fruxon.testing import FruxonEmulator

with FruxonEmulator() as fx:
    fx.base_url, fx.token, fx.workspace
```

Emulator choices where upstream is undocumented (docs/fruxon-api.md#emulator):

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
"""

from ._emulator import FruxonEmulator
from ._log import RequestRecord
from ._routes import ROUTES

__all__ = ["ROUTES", "FruxonEmulator", "RequestRecord"]
