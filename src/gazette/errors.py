"""Typed domain errors: a stable code, the field at fault, a bilingual message and details.

The *kind* of an error is its class — :class:`InvalidInput`, :class:`NotFound`, :class:`Conflict`,
:class:`Forbidden`, :class:`Unauthorized`, :class:`TooManyRequests`, :class:`Unavailable`,
:class:`PayloadTooLarge`, :class:`Misconfigured`. The domain knows nothing of HTTP:
``gazette.api.problems`` alone maps kinds (and the few codes that need it) to HTTP statuses, for the
API's problem+json and the pages alike; the CLI prints one line and exits non-zero.

A scheme's own errors subclass the kind they are (``class NotYourTask(Forbidden)``), or raise the
kind with their own ``code``: ``raise Conflict(zh, en, field="month", code="month_paid")``. No error
is given an HTTP status: a code that needs another status than its kind's is listed in
``gazette.api.problems.CODE_STATUS``.
"""

from __future__ import annotations

from typing import Any, ClassVar


class GazetteError(Exception):
    """Base of every domain error. Raised as is, it is a request the domain refused without a more
    precise kind (answered 400)."""

    default_code: ClassVar[str] = "bad_request"

    def __init__(self, code: str, message_zh: str, message_en: str, field: str | None = None,
                 details: dict[str, Any] | None = None):
        super().__init__(code)
        self.code = code
        self.message_zh = message_zh
        self.message_en = message_en
        self.field = field
        self.details: dict[str, Any] = dict(details or {})

    def __str__(self) -> str:  # one clear line for the CLI and the logs
        where = f" [{self.field}]" if self.field else ""
        return f"{self.code}{where}: {self.message_zh} / {self.message_en}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, field={self.field!r}, message_en={self.message_en!r})"

    def __reduce__(self):  # survives a process pool: rebuilt from its attributes, not from ``args``
        return (_restore, (type(self), self.__dict__))


def _restore(cls: type[GazetteError], state: dict[str, Any]) -> GazetteError:
    error = cls.__new__(cls)
    Exception.__init__(error, state.get("code"))
    error.__dict__.update(state)
    return error


class _Kind(GazetteError):
    """The shared signature of the kinds: the message first, then where and why."""

    def __init__(self, message_zh: str, message_en: str, field: str | None = None, code: str | None = None,
                 details: dict[str, Any] | None = None):
        super().__init__(code or self.default_code, message_zh, message_en, field, details)


class InvalidInput(_Kind):
    """A value of the request is malformed, out of range or not allowed (a bad ID number, a date
    outside what the gazette covers, a row of a spreadsheet)."""

    default_code = "invalid_input"


class NotFound(GazetteError):
    """``what`` names the thing (in Chinese, or both languages); ``what_en`` names it in English."""

    default_code = "not_found"

    def __init__(self, what: str, ident: Any, field: str | None = "id", what_en: str | None = None,
                 code: str | None = None, details: dict[str, Any] | None = None):
        super().__init__(code or self.default_code, f"未找到{what}：{ident}", f"{what_en or what} not found: {ident}",
                         field, details)

    @classmethod
    def with_message(cls, message_zh: str, message_en: str, field: str | None = None, code: str | None = None,
                     details: dict[str, Any] | None = None) -> NotFound:
        """A not-found whose words are not "未找到 X：id" (a damaged link, an unknown page)."""
        error = cls.__new__(cls)
        GazetteError.__init__(error, code or cls.default_code, message_zh, message_en, field, details)
        return error


class Conflict(_Kind):
    """The request is well-formed but the state does not allow it (already done, wrong stage, closed)."""

    default_code = "conflict"


class Unauthorized(_Kind):
    """Nobody is logged in, or the credentials or token are wrong or expired."""

    default_code = "authentication_required"


class Forbidden(_Kind):
    """The caller is known but may not do this (role, district, own records only)."""

    default_code = "forbidden"


class TooManyRequests(_Kind):
    """The caller must wait (``details["retry_after"]`` in seconds, when known)."""

    default_code = "too_many_requests"


class Unavailable(_Kind):
    """The service cannot answer now (busy, a missing index or font); retrying later may work."""

    default_code = "unavailable"


class PayloadTooLarge(_Kind):
    """The request or the uploaded file is larger than allowed."""

    default_code = "payload_too_large"


class Misconfigured(_Kind):
    """The installation is wrong (no content pack, a malformed pack or parameter file): not the
    caller's fault, and not something retrying fixes."""

    default_code = "misconfigured"
