"""Web pages of long-term care insurance: the intake half and the care half (statements, providers and
review; the care plan and the visits; the officer's month)."""

from fastapi import APIRouter

from jiaxing.schemes.ltc import care_month_pages, care_pages, care_work_pages, intake_pages

router = APIRouter(include_in_schema=False)
router.include_router(intake_pages.router)
router.include_router(care_pages.router)
router.include_router(care_work_pages.router)
router.include_router(care_month_pages.router)
