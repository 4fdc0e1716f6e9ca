"""Typed errors of the voucher and enterprise-subsidy service, with stable codes.

Each is one of the platform's kinds (``gazette.errors``) carrying the scheme's own code; the API turns
them into problem+json (RFC 9457), the CLI prints one line and exits 1.
"""

from __future__ import annotations

from typing import Any

from gazette.errors import Conflict, InvalidInput, NotFound


def unknown_programme(code: str, known: list[str]) -> InvalidInput:
    return InvalidInput(f"未知的消费券项目：{code}（可选：{'、'.join(known)}）",
                        f"unknown programme {code!r} (one of: {', '.join(known)})", field="programme",
                        code="unknown_programme", details={"known": known})


def unknown_district(district: str, known: list[str]) -> InvalidInput:
    return InvalidInput(f"未知的县（市、区）：{district}", f"unknown district {district!r}", field="district",
                        code="unknown_district", details={"known": known})


def not_set_up() -> Conflict:
    return Conflict("消费券项目尚未初始化，请先运行 gazette vouchers setup",
                    "the voucher programmes are not set up: run `gazette vouchers setup` first",
                    code="vouchers_not_set_up")


def window_closed(what: str, on, start, end, field: str) -> InvalidInput:
    return InvalidInput(f"{what}日期 {on} 不在有效期 {start} 至 {end} 内",
                        f"{what} date {on} is outside the window {start} to {end}", field=field,
                        code="window_closed", details={"date": str(on), "window": [str(start), str(end)]})


def pool_exhausted(programme: str, district: str, available_fen: int, requested_fen: int) -> Conflict:
    return Conflict(f"{district}的消费券额度已领完", f"the {programme} voucher pool of {district} is exhausted",
                    field="district", code="pool_exhausted",
                    details={"programme": programme, "district": district, "available_fen": available_fen,
                             "requested_fen": requested_fen})


def already_claimed(programme: str, person: str) -> Conflict:
    return Conflict(f"每人每个项目限领一张消费券：{person} 已持有 {programme} 消费券",
                    f"one voucher per person per programme: {person} already holds a {programme} voucher",
                    field="person_id", code="already_claimed", details={"programme": programme, "person_id": person})


def voucher_changed(voucher_id: Any) -> Conflict:
    return Conflict(f"消费券 {voucher_id} 的状态在处理本请求时刚刚改变，请重试",
                    f"voucher {voucher_id} changed while this request ran: retry", field="voucher_id",
                    code="voucher_changed", details={"voucher_id": voucher_id})


def voucher_not_found(voucher_id: Any) -> NotFound:
    return NotFound("消费券", voucher_id, field="voucher_id", what_en="voucher", code="voucher_not_found")


def wrong_status(what: str, ident: Any, status: str, wanted: tuple[str, ...], code: str) -> Conflict:
    return Conflict(f"{what} {ident} 当前状态为 {status}，不能执行该操作（需要：{'、'.join(wanted)}）",
                    f"{what} {ident} is {status}; this needs {' or '.join(wanted)}", field="status", code=code,
                    details={"status": status, "allowed": list(wanted)})


def not_eligible(clause: str, failed: list[dict], missing: list[str], field: str) -> InvalidInput:
    details = {"clause": clause, "failed_conditions": failed, "missing_facts": missing}
    if missing and not failed:
        return InvalidInput(f"不能确定是否符合 {clause}：缺少 {'、'.join(missing)}",
                            f"cannot decide {clause}: missing {', '.join(missing)}", field=field,
                            code="facts_missing", details=details)
    reasons = "；".join(f.get("text_zh", f.get("id", "")) for f in failed) or "不符合条件"
    return InvalidInput(f"不符合 {clause}：{reasons}", f"not eligible under {clause}", field=field,
                        code="not_eligible", details=details)


def invalid(code: str, zh: str, en: str, field: str, details: dict | None = None) -> InvalidInput:
    return InvalidInput(zh, en, field=field, code=code, details=details)


def not_enterprise_clause(clause: str, known: list[str]) -> InvalidInput:
    return InvalidInput(f"不是可申请的企业奖补条款：{clause}", f"not an enterprise clause one can apply for: {clause}",
                        field="clause", code="unknown_clause", details={"known": known})


def already_applied(enterprise: str, group: str, period: str) -> Conflict:
    return Conflict(f"企业 {enterprise} 已就 {group}（{period}）申请或获得奖励，所列奖励条款不得重复享受",
                    f"enterprise {enterprise} already has a live application or award for {group} ({period})",
                    field="clause", code="already_applied",
                    details={"enterprise_id": enterprise, "award_group": group, "period": period})


def already_paid(enterprise: str, clause: str, period: str) -> Conflict:
    return Conflict(f"企业 {enterprise} 已就 {clause}（{period}）获得拨付，不得重复拨付",
                    f"enterprise {enterprise} was already paid for {clause} ({period})", field="application_id",
                    code="already_paid", details={"enterprise_id": enterprise, "clause": clause, "period": period})


def application_not_found(application_id: Any) -> NotFound:
    return NotFound("申请", application_id, field="application_id", what_en="application", code="application_not_found")


def enterprise_not_found(enterprise_id: Any) -> NotFound:
    return NotFound("企业", enterprise_id, field="enterprise_id", what_en="enterprise", code="enterprise_not_found")
