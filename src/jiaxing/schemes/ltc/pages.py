"""Web pages of long-term care insurance: the intake half and the care half."""

from fastapi import APIRouter

from jiaxing.schemes.ltc import care_pages, intake_pages

router = APIRouter(include_in_schema=False)
router.include_router(intake_pages.router)
router.include_router(care_pages.router)
