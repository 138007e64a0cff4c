"""Every tunable default in one place."""

from __future__ import annotations

from pulumi_fruxon._version import __version__

DEFAULT_BASE_URL = "https://api.fruxon.com"
USER_AGENT = f"pulumi-fruxon/{__version__}"

# The overall deadline of one request with all its retries, in seconds: a server that never
# answers, or answers a byte at a time, holds an operation this long and no longer. One list page
# is one request. Overridden by `fruxon:timeout` or FRUXON_TIMEOUT.
DEFAULT_TIMEOUT = 120.0

# httpx timeouts of one attempt, in seconds, each capped by what is left of the deadline. Reads
# get longer than connects: list pages of 100 items can be slow.
CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 60.0
WRITE_TIMEOUT = 30.0
POOL_TIMEOUT = 10.0

# Retries: capped, jittered exponential backoff; Retry-After honoured up to a cap. MAX_RETRIES
# counts retries after a 5xx or a transport failure; a 429 is retried while the deadline allows.
MAX_RETRIES = 4
INITIAL_BACKOFF = 0.5
MAX_BACKOFF = 8.0
MAX_RETRY_AFTER = 60.0

# The server clamps page sizes above 100 (docs/fruxon-http-api.md#paging).
MAX_PAGE_SIZE = 100

# A list walk that needs more pages than this is broken, not long: 1,000 pages of 100 items is
# far beyond any workspace's integrations or an integration's tools.
MAX_PAGES = 1000

# The most one response body may hold, decoded: over 160 KiB for each item of a full page.
MAX_RESPONSE_BYTES = 16 * 1024 * 1024

# Problem-details codes this package acts on. They are fixed words, not the server's prose, so
# an error keeps its code even when a secret too short to redact has its texts withheld
# (`_redaction`): a dead credential key is recognised as one whatever its length.
KNOWN_PROBLEM_CODES = frozenset(
    {
        "credential_key_spent",
        "credential_key_expired",
        "credential_key_unknown",
        "credential_key_integration_mismatch",
        "not_linkable",
    }
)

# Fruxon's documented maximum length of an integration id as a path parameter.
MAX_ID_LENGTH = 150

# Stack-config namespace and the environment variables of the official `fruxon` CLI.
CONFIG_NAMESPACE = "fruxon"
ENV_TOKEN = "FRUXON_TOKEN"
ENV_WORKSPACE = "FRUXON_WORKSPACE"
ENV_BASE_URL = "FRUXON_BASE_URL"
ENV_CA_BUNDLE = "FRUXON_CA_BUNDLE"
ENV_INSECURE = "FRUXON_INSECURE"
ENV_TIMEOUT = "FRUXON_TIMEOUT"

# IntegrationAuth's recovery after a `pulumi up` that died mid-consume (pulumi_fruxon/_journal.py).
ENV_STATE_DIR = "FRUXON_STATE_DIR"
ENV_ADOPT_BINDING = "FRUXON_ADOPT_BINDING"

# How Fruxon shows a secret parameter's value in every config response (docs/fruxon-http-api.md).
MASKED = "********"
