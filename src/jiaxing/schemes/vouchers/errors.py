"""Typed errors of the voucher and enterprise-subsidy service, with stable codes.

The API turns them into problem+json (RFC 9457); the CLI prints one line and exits 1.
"""

from __future__ import annotations

from typing import Any

from gazette.errors import GazetteError


class VoucherError(GazetteError):
    pass


def _err(code: str, zh: str, en: str, field: str | None, status: int, details: dict[str, Any] | None = None):
    return VoucherError(code=code, message_zh=zh, message_en=en, field=field, status=status, details=details or {})


def unknown_programme(code: str, known: list[str]) -> VoucherError:
    return _err("unknown_programme", f"未知的消费券项目：{code}（可选：{'、'.join(known)}）",
                f"unknown programme {code!r} (one of: {', '.join(known)})", "programme", 422, {"known": known})


def unknown_district(district: str, known: list[str]) -> VoucherError:
    return _err("unknown_district", f"未知的县（市、区）：{district}", f"unknown district {district!r}", "district", 422,
                {"known": known})


def not_set_up() -> VoucherError:
    return _err("vouchers_not_set_up", "消费券项目尚未初始化，请先运行 gazette vouchers setup",
                "the voucher programmes are not set up: run `gazette vouchers setup` first", None, 409)


def window_closed(what: str, on, start, end, field: str) -> VoucherError:
    return _err("window_closed", f"{what}日期 {on} 不在有效期 {start} 至 {end} 内",
                f"{what} date {on} is outside the window {start} to {end}", field, 422,
                {"date": str(on), "window": [str(start), str(end)]})


def pool_exhausted(programme: str, district: str, available_fen: int, requested_fen: int) -> VoucherError:
    return _err("pool_exhausted", f"{district}的消费券额度已领完", f"the {programme} voucher pool of {district} is exhausted",
                "district", 409, {"programme": programme, "district": district, "available_fen": available_fen,
                                  "requested_fen": requested_fen})


def already_claimed(programme: str, person: str) -> VoucherError:
    return _err("already_claimed", f"每人每个项目限领一张消费券：{person} 已持有 {programme} 消费券",
                f"one voucher per person per programme: {person} already holds a {programme} voucher", "person_id", 409,
                {"programme": programme, "person_id": person})


def voucher_not_found(vid: Any) -> VoucherError:
    return _err("voucher_not_found", f"未找到消费券：{vid}", f"voucher not found: {vid}", "voucher_id", 404)


def wrong_status(what: str, ident: Any, status: str, wanted: tuple[str, ...], code: str) -> VoucherError:
    return _err(code, f"{what} {ident} 当前状态为 {status}，不能执行该操作（需要：{'、'.join(wanted)}）",
                f"{what} {ident} is {status}; this needs {' or '.join(wanted)}", "status", 409,
                {"status": status, "allowed": list(wanted)})


def not_eligible(clause: str, failed: list[dict], missing: list[str], field: str) -> VoucherError:
    if missing and not failed:
        return _err("facts_missing", f"不能确定是否符合 {clause}：缺少 {'、'.join(missing)}",
                    f"cannot decide {clause}: missing {', '.join(missing)}", field, 422,
                    {"clause": clause, "failed_conditions": failed, "missing_facts": missing})
    reasons = "；".join(f.get("text_zh", f.get("id", "")) for f in failed) or "不符合条件"
    return _err("not_eligible", f"不符合 {clause}：{reasons}", f"not eligible under {clause}", field, 422,
                {"clause": clause, "failed_conditions": failed, "missing_facts": missing})


def invalid(code: str, zh: str, en: str, field: str, details: dict | None = None) -> VoucherError:
    return _err(code, zh, en, field, 422, details)


def not_enterprise_clause(clause: str, known: list[str]) -> VoucherError:
    return _err("unknown_clause", f"不是可申请的企业奖补条款：{clause}", f"not an enterprise clause one can apply for: {clause}",
                "clause", 422, {"known": known})


def already_applied(enterprise: str, group: str, period: str) -> VoucherError:
    return _err("already_applied", f"企业 {enterprise} 已就 {group}（{period}）申请或获得奖励，所列奖励条款不得重复享受",
                f"enterprise {enterprise} already has a live application or award for {group} ({period})",
                "clause", 409, {"enterprise_id": enterprise, "award_group": group, "period": period})


def already_paid(enterprise: str, clause: str, period: str) -> VoucherError:
    return _err("already_paid", f"企业 {enterprise} 已就 {clause}（{period}）获得拨付，不得重复拨付",
                f"enterprise {enterprise} was already paid for {clause} ({period})", "application_id", 409,
                {"enterprise_id": enterprise, "clause": clause, "period": period})


def application_not_found(aid: Any) -> VoucherError:
    return _err("application_not_found", f"未找到申请：{aid}", f"application not found: {aid}", "application_id", 404)


def enterprise_not_found(eid: Any) -> VoucherError:
    return _err("enterprise_not_found", f"未找到企业：{eid}", f"enterprise not found: {eid}", "enterprise_id", 404)
