"""Airspace journeys in a real browser (嘉政发〔2022〕17号): the public map and check, an owner registers
a device, an approver approves an exempt flight and the check then answers permitted. Every page is
shot at desktop and phone width and in 长辈版 (conftest.shoot)."""

from __future__ import annotations

from tests.e2e.harness import login

PENDING_SPOT = ("30.3905", "120.5600")  # the demo's pending aerial-photography flight (jiaxing.schemes.airspace.demo)


def _check(page, lat: str, lon: str, at: str, obj: str = "drone", device: str = "") -> str:
    page.locator("#c-lat").fill(lat)
    page.locator("#c-lon").fill(lon)
    page.locator("#c-at").fill(at)
    page.locator("#c-object").select_option(obj)
    page.locator("#c-device").fill(device)
    with page.expect_navigation():
        page.get_by_role("button", name="检查 Check").click()
    return page.get_by_test_id("check-result").get_attribute("data-outcome")


def test_airspace_map_and_check(page, shoot):
    page.goto("/airspace")
    assert page.get_by_test_id("airspace-map").is_visible()
    assert "9月15日24时" in page.get_by_test_id("airspace-window").inner_text()
    assert page.locator("svg .zone-area").count() == 1 and page.locator("svg .flight-area").count() >= 1
    shoot(page, "01-map")
    assert _check(page, "30.39", "120.55", "2022-09-12T10:00+08:00") == "prohibited"
    assert "嘉政发〔2022〕17号#二" in page.get_by_test_id("check-result").inner_text()
    assert page.locator("svg .check-point").count() == 1
    shoot(page, "02-prohibited")
    assert _check(page, "30.39", "120.55", "2022-09-12T10:00+08:00", obj="other") == "unknown"
    assert _check(page, "30.39", "120.55", "2022-09-15T16:00:00Z") == "permitted"  # 9月15日24时 in UTC


def test_owner_registers_a_device(page, shoot):
    page.goto("/airspace/me")
    login(page, "drone-owner")
    assert page.url.split("?")[0].endswith("/airspace/me")
    shoot(page, "01-owner")
    page.locator("#d-kind").select_option("model_aircraft")
    page.locator("#d-model").fill("固定翼航模 E2E")
    page.locator("#d-serial").fill("E2E-SERIAL-1")
    with page.expect_navigation():
        page.get_by_role("button", name="提交登记 Submit").click()
    assert page.get_by_test_id("airspace-done").is_visible()
    row = page.locator('[data-testid="device-row"][data-serial="E2E-SERIAL-1"]')
    assert row.get_attribute("data-status") == "submitted"
    shoot(page, "02-registered")


def test_approver_approves_then_check_permits(page, shoot):
    page.goto("/airspace/approvals")
    login(page, "flight-approver")
    card = page.get_by_test_id("pending-flight").first
    flight_id = card.get_attribute("data-flight-id")
    shoot(page, "01-pending")
    card.get_by_label("依据 Basis").fill("观潮节现场指挥部空域使用批复（E2E）")
    with page.expect_navigation():
        card.get_by_role("button", name="批准 Approve").click()
    assert page.get_by_test_id("airspace-done").is_visible()
    assert "已批准" in page.get_by_test_id("airspace-done").inner_text()
    shoot(page, "02-approved")
    page.goto("/airspace")
    outcome = _check(page, *PENDING_SPOT, "2022-09-13T14:30+08:00", device="DEMO-MINI-0002")
    assert outcome == "permitted"
    assert flight_id in page.get_by_test_id("approved-flight").inner_text()
    assert page.locator(f'svg .flight-area[data-flight="{flight_id}"]').count() == 1
    shoot(page, "03-permitted")


def test_airspace_pages_accessible(page):
    """The accessibility measures of test_accessibility on every airspace page, per role: at phone
    width no horizontal scroll and tap targets ≥ 44 px; text contrast ≥ 4.5:1; 长辈版 text ≥ 18 px."""
    from gazette.web.templating import ELDER_COOKIE
    from tests.e2e.test_accessibility import DESKTOP, PHONE, _contrast, _phone, _typography

    problems: list[str] = []
    for user, path in ((None, "/airspace?lat=30.39&lon=120.55&at=2022-09-12T10%3A00%2B08%3A00&object=drone"),
                       ("drone-owner", "/airspace/me"), ("police", "/airspace/registry"),
                       ("flight-approver", "/airspace/approvals")):
        page.context.clear_cookies()
        if user:
            page.goto("/login")
            login(page, user)
        for elder in (False, True):
            if elder:
                page.context.add_cookies([{"name": ELDER_COOKIE, "value": "1", "url": page.url}])
            page.set_viewport_size(PHONE)
            page.goto(path)
            found = _phone(page) + (_typography(page) if elder else [])
            page.set_viewport_size(DESKTOP)
            found += _contrast(page)
            problems += [f"{path} ({'长辈版' if elder else 'standard'}): {p}" for p in found]
    assert not problems, "\n".join(problems)
