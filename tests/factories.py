"""Small factories that build records for tests, with sensible defaults."""
import itertools

from portal.auth.models import User
from portal.auth.services import hash_password

PASSWORD = "correct horse battery"
_counter = itertools.count(1)
_hash_cache = {}


def password_hash(password: str = PASSWORD) -> str:
    """Hash once per password per run: argon2 is slow on purpose."""
    if password not in _hash_cache:
        _hash_cache[password] = hash_password(password)
    return _hash_cache[password]


def make_user(role="member", password=PASSWORD, **fields) -> User:
    """A saved, active user with a unique e-mail."""
    n = next(_counter)
    fields.setdefault("email", f"{role}{n}@example.test")
    fields.setdefault("name", f"{role.capitalize()} Person {n}")
    fields.setdefault("department", "Operations")
    return User.create(role=role, password_hash=password_hash(password), **fields)
