"""Fixtures for the integration tests (each group keeps its own in a module imported here)."""

from tests.integration.relay_fixtures import relay_config, relay_env, sink, standin  # noqa: F401
