"""Password hashing with argon2id (argon2-cffi's PasswordHasher, RFC 9106 defaults)."""

from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from gazette.errors import InvalidInput

MIN_LENGTH = 8


@lru_cache(maxsize=1)
def hasher() -> PasswordHasher:
    return PasswordHasher()  # type ID argon2id


def check_strength(password: str) -> None:
    if not isinstance(password, str) or len(password) < MIN_LENGTH:
        raise InvalidInput(f"密码至少 {MIN_LENGTH} 个字符", f"a password needs at least {MIN_LENGTH} characters",
                           field="password", code="weak_password")


def hash_password(password: str) -> str:
    check_strength(password)
    return hasher().hash(password)


def verify(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; never raises for a wrong password or a damaged hash."""
    if not password_hash:
        # Spend the same time as a real check so timing does not reveal unknown usernames.
        try:
            hasher().verify(_dummy_hash(), password)
        except VerificationError:
            pass
        return False
    try:
        return hasher().verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return hasher().check_needs_rehash(password_hash)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return hasher().hash("not-a-real-password")
