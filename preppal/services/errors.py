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


class InvalidTransition(ServiceError):
    http_status = 409


class Conflict(ServiceError):
    """Lost a compare-and-set race, or the resource is in use."""

    http_status = 409


class AuthError(ServiceError):
    http_status = 401


class Unavailable(ServiceError):
    """The database (or another backing service) is down or too slow: try again later."""

    http_status = 503

    def __init__(
        self, message: str = "Preppal cannot reach its database right now. Please try again in a moment."
    ) -> None:
        super().__init__(message)


class TooManyRequests(ServiceError):
    """A rate limit or a per-user cap: try again later (``retry_after_s``)."""

    http_status = 429

    def __init__(self, message: str, retry_after_s: int = 0) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class AlreadyLive(Conflict):
    """The user already has another interview in progress (one live interview per user)."""
