"""Service-layer errors. Each maps to one HTTP status and one plain message for people."""

from __future__ import annotations


class ServiceError(Exception):
    http_status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ValidationError(ServiceError):
    http_status = 422


class NotFound(ServiceError):
    """Missing *or not yours*: the two are indistinguishable on purpose (no probing)."""

    http_status = 404


class Forbidden(ServiceError):
    http_status = 403


class InvalidTransition(ServiceError):
    http_status = 409


class Conflict(ServiceError):
    """Lost a compare-and-set race, or the resource is in use."""

    http_status = 409


class AuthError(ServiceError):
    http_status = 401
