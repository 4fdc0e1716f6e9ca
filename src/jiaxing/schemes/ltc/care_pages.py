"""Web pages of the care half."""

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
