"""The one rule for a `return_url`: a path that every browser resolves to the page's own origin.

The success page links back to `return_url`, so a value that a browser reads as another host is
an open redirect. Browsers parse links with the WHATWG URL standard (https://url.spec.whatwg.org/),
which differs from Python's `urllib` in ways that matter here:

- in http(s) URLs a backslash is a slash, so `/\\evil.com` is `//evil.com`, another host;
- tabs and line breaks are removed anywhere, so `/<TAB>/evil.com` is `//evil.com` too;
- leading and trailing spaces and control characters are stripped.

Rather than model the parser, accept only what it cannot turn into a host: a `/` followed by
anything but a second `/`, with no backslash, whitespace or control character anywhere.
Standard library only: the provider's `check`, the client and the emulator all use it.
"""

from __future__ import annotations

__all__ = ["return_url_problem"]


def return_url_problem(value: str) -> str | None:
    """Why `value` is not a same-origin path, or None when it is one."""
    if not value.startswith("/"):
        return "must be a relative path starting with '/', like '/integrations'"
    if value.startswith("//"):
        return "must not start with '//': browsers read that as another host"
    if "\\" in value:
        return "must not contain a backslash: browsers read it as '/', which can name another host"
    if any(ch.isspace() or _is_control(ch) for ch in value):
        return "must not contain whitespace or control characters"
    return None


def _is_control(ch: str) -> bool:
    # C0 controls, DEL and the C1 controls (U+0080-U+009F).
    code = ord(ch)
    return code < 0x20 or 0x7F <= code <= 0x9F
