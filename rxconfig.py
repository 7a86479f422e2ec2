"""Reflex configuration. Values come from preppal.settings so the app, the service layer
and Alembic agree on one database."""

import os

import reflex as rx

from preppal.settings import get_settings

settings = get_settings()

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
)
