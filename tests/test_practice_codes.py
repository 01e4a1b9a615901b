"""The practice's codes and hashes (no database): what a patient types, what is stored."""

from __future__ import annotations

import hashlib
import math

from companion.commands.practice import redacted
from companion.practice.access import Refused, TooManyAttempts
from companion.practice.accounts import NOT_YOURS
from companion.practice.codes import (
    CODE_ALPHABET,
    code_hash,
    guess_space,
    new_invite_code,
    new_login_code,
    new_pseudonym,
    new_session_token,
    normalized_code,
    token_hash,
)
from companion.practice.notes import CHARACTERS, EMPTY, TOO_LONG, NoteRejected
from companion.texts.i18n import load_translations


def test_an_invite_code_is_typeable_groups_without_look_alikes() -> None:
    code = new_invite_code()
    groups = code.split("-")
    assert [len(group) for group in groups] == [4, 4, 4]
    assert set("".join(groups)) <= set(CODE_ALPHABET)
    assert not set("01OIL") & set(CODE_ALPHABET)


def test_codes_are_random() -> None:
    assert len({new_invite_code() for _ in range(200)}) == 200
    assert len({new_session_token() for _ in range(200)}) == 200


def test_login_codes_and_session_tokens_carry_at_least_128_bits() -> None:
    login = normalized_code(new_login_code())
    assert math.log2(guess_space(len(login))) >= 128
    assert len(new_session_token()) >= 43  # 32 bytes in base64url


def test_an_invite_code_has_at_least_58_bits() -> None:
    assert math.log2(guess_space(len(normalized_code(new_invite_code())))) >= 58


def test_a_code_typed_in_lower_case_with_spaces_has_the_same_hash() -> None:
    code = new_invite_code()
    typed = " " + code.lower().replace("-", " ") + "\n"
    assert code_hash(typed) == code_hash(code)
    assert code_hash(code) == hashlib.sha256(code.replace("-", "").encode()).digest()


def test_a_look_alike_is_not_forgiven() -> None:
    assert code_hash("ABCD-EFGH-JKM0") != code_hash("ABCD-EFGH-JKMO")


def test_a_session_token_is_hashed_exactly_as_given() -> None:
    token = new_session_token()
    assert token_hash(token) != token_hash(token.upper())
    assert token.encode() not in token_hash(token)


def test_a_pseudonym_names_no_one() -> None:
    pseudonym = new_pseudonym()
    assert pseudonym.startswith("P-") and len(pseudonym) == 8


def test_the_store_url_is_shown_without_its_password() -> None:
    assert redacted("postgresql://ana:s3cret@db.example.org:5433/companion") == (
        "postgresql://ana:***@db.example.org:5433/companion"
    )
    assert "s3cret" not in redacted("host=db user=ana password=s3cret dbname=companion")
    assert redacted("postgresql://ana@db/companion") == "postgresql://ana@db/companion"


def test_what_a_patient_or_professional_is_refused_reads_in_dutch_and_french() -> None:
    refusals = [
        Refused(),
        TooManyAttempts(),
        Refused(NOT_YOURS),
        NoteRejected(EMPTY),
        NoteRejected(TOO_LONG, length=2001, limit=2000),
        NoteRejected(CHARACTERS, characters="U+001B"),
    ]
    for refusal in refusals:
        nl = refusal.translated(load_translations("nl"))
        fr = refusal.translated(load_translations("fr"))
        assert len({str(refusal), nl, fr}) == 3, str(refusal)
        for number in refusal.params.values():
            assert str(number) in nl and str(number) in fr
