"""A plain HTML ``<form>`` that really submits to the server.

Reflex's ``rx.form`` always calls ``preventDefault`` (it hands the data to an event
handler instead). Sign-in must be a real HTTP round trip so the response can set an
HttpOnly cookie, so this renders the bare element with ``action`` and ``method``.
"""

from __future__ import annotations

import reflex as rx
from reflex_components_core.el.elements.base import BaseHTML


class NativeForm(BaseHTML):
    tag = "form"

    action: rx.Var[str]
    method: rx.Var[str]
    enc_type: rx.Var[str]


native_form = NativeForm.create
