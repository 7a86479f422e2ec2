"""Reflex configuration. Values come from preppal.settings so the app, the service layer
and Alembic agree on one database."""

import os

import reflex as rx

from preppal.settings import get_settings

settings = get_settings()
# Behind a load balancer the page's sockets must go to the balancer, not to this instance:
# REFLEX_API_URL = the public address (docs/deployment.md). Passed explicitly because
# `reflex run` otherwise rewrites the default to this instance's own port.
_api_url = {"api_url": os.environ["REFLEX_API_URL"]} if os.environ.get("REFLEX_API_URL") else {}

config = rx.Config(
    app_name="preppal",
    db_url=settings.database_url,
    # Redis (REFLEX_REDIS_URL) switches Reflex to its Redis state manager for scale-out.
    redis_url=os.environ.get("REFLEX_REDIS_URL") or None,
    # The API and the event socket answer credentialed requests from our own origin only
    # (Reflex's default "*" reflects any Origin). PREPPAL_EXTRA_ORIGINS adds more.
    cors_allowed_origins=list(settings.allowed_origins),
    telemetry_enabled=False,
    show_built_with_reflex=False,
    default_color_mode="light",
    plugins=[rx.plugins.RadixThemesPlugin(theme=rx.theme(accent_color="indigo", gray_color="slate", radius="large"))],
    disable_plugins=[rx.plugins.SitemapPlugin],
    **_api_url,
)
