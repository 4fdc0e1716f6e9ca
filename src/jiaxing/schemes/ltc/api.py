"""``/api/v1/ltc/…`` — long-term care insurance over HTTP: the intake half and the care half."""

from fastapi import APIRouter

from jiaxing.schemes.ltc import care_api, intake_api

router = APIRouter(prefix="/ltc", tags=["long-term care"])
router.include_router(intake_api.router)
router.include_router(care_api.router)
