"""The secrets of practice access: invite codes, login codes, session tokens, and their hashes.

Pure (no database): what a code looks like, how a typed code is read, and the one-way hash
that is all the database keeps of it.

- **Invite codes** are typed by a patient from paper: 12 characters from an alphabet without
  look-alikes (no 0/O, 1/I/L), in groups of four (``K7MQ-3XPD-9RTB``), about 59 bits. They are
  one-time, expire, and guessing is rate-limited (:mod:`companion.practice.access`); the
  README works out why that is enough.
- **Login codes** of professionals are pasted from a password manager, not typed from
  paper: 28 characters of the same alphabet (about 139 bits), so no rate limit is needed to
  keep them safe.
- **Session tokens** live in an HttpOnly cookie: 32 random bytes (256 bits).

Why plain SHA-256 and not a slow password hash: a slow hash protects *low-entropy* secrets
chosen by people. These are chosen by :mod:`secrets` with 128 bits or more (login codes,
tokens), so a leaked hash cannot be reversed by trying; an invite code's 59 bits are only
worth trying for as long as it is unused and unexpired (days), and a thief who can read the
hash table can already read the data the code would open. A fast hash also keeps
``principal_for`` (called on every request) cheap.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
"""Upper-case letters and digits without the look-alikes 0/O, 1/I/L."""
GROUP = 4
INVITE_LENGTH = 12
LOGIN_LENGTH = 28
TOKEN_BYTES = 32
PSEUDONYM_LENGTH = 6


def _random_characters(count: int) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(count))


def grouped(characters: str) -> str:
    """``K7MQ3XPD9RTB`` -> ``K7MQ-3XPD-9RTB`` (easier to read out and type)."""
    return "-".join(characters[i : i + GROUP] for i in range(0, len(characters), GROUP))


def new_invite_code() -> str:
    return grouped(_random_characters(INVITE_LENGTH))


def new_login_code() -> str:
    return grouped(_random_characters(LOGIN_LENGTH))


def new_session_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def new_pseudonym() -> str:
    """What the practice and the professional call a patient (``P-4K7MQ3``): random, so it
    says nothing about the person; the practice keeps its own link to the person."""
    return "P-" + _random_characters(PSEUDONYM_LENGTH)


def normalized_code(typed: str) -> str:
    """A code as typed (lower case, spaces, dashes, a stray new line) in its stored form.

    Only case and separators are forgiven: a look-alike (``O`` for ``0``) is never in a code,
    so it is not guessed at."""
    return "".join(char for char in typed.upper() if char not in " -\t\r\n")


def code_hash(code: str) -> bytes:
    """The hash stored for an invite or login code, whatever way it was typed."""
    return hashlib.sha256(normalized_code(code).encode("utf-8")).digest()


def token_hash(token: str) -> bytes:
    """The hash stored for a session token (taken exactly as given)."""
    return hashlib.sha256(token.encode("utf-8")).digest()


def client_hash(client_key: str) -> bytes:
    """What the rate limit keeps of a client (an IP address is personal data)."""
    return hashlib.sha256(b"client:" + client_key.encode("utf-8")).digest()


def same_hash(stored: bytes, computed: bytes) -> bool:
    """Constant-time comparison of a stored hash with the one just computed. The lookup is by
    the hash of a random secret, so its timing tells nothing about the secret; this check makes
    sure no row is ever accepted by a looser comparison than byte for byte."""
    return hmac.compare_digest(bytes(stored), computed)


def guess_space(length: int) -> int:
    """How many codes of ``length`` characters there are."""
    space: int = len(CODE_ALPHABET) ** length
    return space
