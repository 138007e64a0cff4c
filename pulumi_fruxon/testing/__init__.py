"""A local Fruxon API emulator over real HTTP, for tests and local development.

```python
from pulumi_fruxon.testing import FruxonEmulator

with FruxonEmulator() as fx:
    fx.base_url, fx.token, fx.workspace
```

Where Fruxon's API is undocumented, the emulator chooses; docs/fruxon-http-api.md#emulator is
the one list of those choices and of the faults it injects (see `FruxonEmulator` for the calls).
"""

from ._emulator import FruxonEmulator
from ._log import RequestRecord
from ._routes import ROUTES

__all__ = ["ROUTES", "FruxonEmulator", "RequestRecord"]
