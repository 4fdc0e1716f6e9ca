"""Web pages of the intake half."""

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
