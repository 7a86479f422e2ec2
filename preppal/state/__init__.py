"""Reflex state classes: the bridge between pages and the service layer."""
