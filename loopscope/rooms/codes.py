"""Room codes, host tokens and nicknames: how they are made, read back and compared.

A room code is six characters from an alphabet without look-alikes (no 0/O, 1/I/L), so it can be
read off a projector and typed on a phone. What a learner types is normalised first: case,
spaces and dashes do not matter.

>>> normalise_code(" ab-c 23k ")
'ABC23K'
>>> normalise_code("ABC10K") is None  # 1 and 0 are never in a code
True
>>> nickname_key("Ada") == nickname_key(" ADA ")
True
>>> check_nickname("  ")
'Choose a nickname.'
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import unicodedata
from typing import Final

ALPHABET: Final = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH: Final = 6
CODE_PATTERN: Final = rf"^[{ALPHABET}]{{{CODE_LENGTH}}}$"
_CODE = re.compile(CODE_PATTERN)
NICKNAME_MAX: Final = 24


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(typed: str) -> str | None:
    """The code a learner meant, or None when it cannot be a room code."""
    code = re.sub(r"[\s-]+", "", typed).upper()
    return code if _CODE.match(code) else None


def new_host_token() -> str:
    return secrets.token_urlsafe(24)


def hash_token(token: str) -> str:
    """What is stored: a token can be checked against it but not read back from it."""
    return hashlib.sha256(token.encode()).hexdigest()


def token_matches(token: str | None, stored_hash: str) -> bool:
    return token is not None and hmac.compare_digest(hash_token(token), stored_hash)


def clean_nickname(typed: str) -> str:
    """The nickname as shown: NFC, surrounding and repeated white space removed."""
    return " ".join(unicodedata.normalize("NFC", typed).split())


def nickname_key(typed: str) -> str:
    """What makes two nicknames the same: case and width do not count."""
    return unicodedata.normalize("NFKC", clean_nickname(typed)).casefold()


def check_nickname(typed: str) -> str | None:
    """Why a nickname cannot be used, or None when it can."""
    nickname = clean_nickname(typed)
    if not nickname:
        return "Choose a nickname."
    if len(nickname) > NICKNAME_MAX:
        return f"A nickname has at most {NICKNAME_MAX} characters."
    if any(unicodedata.category(char).startswith("C") for char in nickname):
        return "A nickname cannot contain control or invisible characters."
    return None
