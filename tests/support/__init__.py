"""Shared test support: the provider-host harness (`host`) and emulator helpers."""
