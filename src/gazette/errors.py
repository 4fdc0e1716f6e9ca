"""Typed domain errors with stable codes, bilingual messages and the failing field.

The API turns them into RFC 9457 problem+json; the CLI prints one line and exits non-zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any


@dataclass
class GazetteError(Exception):
    code: str
    message_zh: str
    message_en: str
    field: str | None = None
    status: int = 400
    details: dict[str, Any] = dc_field(default_factory=dict)

    def __str__(self) -> str:  # one clear line for the CLI and the logs
        where = f" [{self.field}]" if self.field else ""
        return f"{self.code}{where}: {self.message_zh} / {self.message_en}"

    def problem(self, instance: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": f"https://gazette.example/problems/{self.code}",
            "title": self.message_en,
            "status": self.status,
            "detail": self.message_zh,
            "code": self.code,
            "message_zh": self.message_zh,
            "message_en": self.message_en,
        }
        if self.field:
            body["field"] = self.field
        if instance:
            body["instance"] = instance
        if self.details:
            body["details"] = self.details
        return body


class NotFound(GazetteError):
    """``what`` names the thing (in Chinese, or both languages); ``what_en`` names it in English."""

    def __init__(self, what: str, ident: str, field: str | None = "id", what_en: str | None = None):
        super().__init__(
            code="not_found",
            message_zh=f"未找到{what}：{ident}",
            message_en=f"{what_en or what} not found: {ident}",
            field=field,
            status=404,
        )


class InvalidInput(GazetteError):
    def __init__(self, message_zh: str, message_en: str, field: str | None = None, code: str = "invalid_input"):
        super().__init__(code=code, message_zh=message_zh, message_en=message_en, field=field, status=422)


class Conflict(GazetteError):
    """The request is well-formed but the state does not allow it (already done, wrong stage, closed)."""

    def __init__(self, message_zh: str, message_en: str, field: str | None = None, code: str = "conflict",
                 details: dict[str, Any] | None = None):
        super().__init__(code=code, message_zh=message_zh, message_en=message_en, field=field, status=409,
                         details=details or {})
