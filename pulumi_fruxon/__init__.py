"""Pulumi dynamic providers for Fruxon integration credentials."""

from pulumi_fruxon._version import __version__

__all__ = ["__version__"]
