"""``/api/v1/ltc/…`` routes of the intake half (thin over the scheme's commands and queries)."""

from fastapi import APIRouter

router = APIRouter()
