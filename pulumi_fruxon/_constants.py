"""Every tunable default in one place."""

from __future__ import annotations

from pulumi_fruxon._version import __version__

DEFAULT_BASE_URL = "https://api.fruxon.com"
USER_AGENT = f"pulumi-fruxon/{__version__}"

# httpx timeouts, in seconds. Reads get longer than connects: list pages of 100 items can be slow.
CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 60.0
WRITE_TIMEOUT = 30.0
POOL_TIMEOUT = 10.0

# Retries: capped, jittered exponential backoff; Retry-After honoured up to a cap.
MAX_RETRIES = 4
INITIAL_BACKOFF = 0.5
MAX_BACKOFF = 8.0
MAX_RETRY_AFTER = 60.0

# The server clamps page sizes above 100 (docs/fruxon-api.md#paging).
MAX_PAGE_SIZE = 100

# Stack-config namespace and the environment variables of the official `fruxon` CLI.
CONFIG_NAMESPACE = "fruxon"
ENV_TOKEN = "FRUXON_TOKEN"
ENV_WORKSPACE = "FRUXON_WORKSPACE"
ENV_BASE_URL = "FRUXON_BASE_URL"
ENV_CA_BUNDLE = "FRUXON_CA_BUNDLE"
ENV_INSECURE = "FRUXON_INSECURE"
