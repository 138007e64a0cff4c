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
  nothing is published (`publishedRevisionId` stays null).
- The consent URL is `<base_url>/oauth/consent?state=...`; it redirects to
  `/oauth/success?credentialKey=...`. Keys live `key_ttl` seconds (an invented default of 600).
"""

from ._emulator import FruxonEmulator
from ._log import RequestRecord
from ._routes import ROUTES

__all__ = ["ROUTES", "FruxonEmulator", "RequestRecord"]
