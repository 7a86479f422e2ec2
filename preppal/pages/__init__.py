"""Reflex pages: thin layouts bound to state classes."""
