"""数据规整: the forms of names, phones, certificates and addresses that duplicates are
compared on. Each function is pure and idempotent: ``f(f(x)) == f(x)``.

    normalise_name("南京银行股份有限公司（南京）") == normalise_name("南京　银行") == "南京银行"
"""

from __future__ import annotations

import re
import unicodedata

# Longest first: "股份有限公司" must go before "有限公司" would leave "股份".
COMPANY_FORMS = (
    "集团股份有限公司", "集团有限责任公司", "集团有限公司", "股份有限公司", "有限责任公司", "有限公司",
    "股份公司", "总公司", "集团公司", "集团", "公司",
    "co.,ltd.", "co.,ltd", "co.ltd", "ltd.", "ltd", "inc.", "inc", "limited",
)
_BRACKETED = re.compile(r"[(\[【][^()\[\]【】]*[)\]】]")
_SPACE = re.compile(r"\s+")
_PHONE_JUNK = re.compile(r"[^0-9]")
_CERT_JUNK = re.compile(r"[^0-9A-Z]")


def _nfkc(text: str) -> str:
    # NFKC turns full-width letters, digits, brackets and the ideographic space (U+3000)
    # into their ASCII forms.
    return unicodedata.normalize("NFKC", text or "")


def normalise_name(name: str) -> str:
    """A company or person name for comparison: half-width, lower case, no spaces, no
    bracketed parts (city suffixes such as （南京） or (苏州)), no company-form suffixes
    (有限公司, 股份有限公司, 有限责任公司, 集团…). Falls back to the spaceless name when
    stripping would leave nothing."""
    text = _SPACE.sub("", _nfkc(name)).lower()
    plain = text
    while True:
        stripped = _BRACKETED.sub("", text)
        if stripped == text:
            break
        text = stripped
    changed = True
    while changed:
        changed = False
        for form in COMPANY_FORMS:
            if text.endswith(form) and len(text) > len(form):
                text = text[: -len(form)]
                changed = True
    return text or plain


def normalise_phone(phone: str) -> str:
    """Digits only; a leading country code 86 (+86, 0086) is dropped from 13-digit mobile
    numbers and from area-coded landlines so "+86 138-0000-0000" equals "13800000000"."""
    digits = _PHONE_JUNK.sub("", _nfkc(phone))
    if digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) >= 12:
        digits = digits[2:]
    if len(digits) >= 10 and digits[0] in "23456789" and not digits.startswith("1"):
        digits = "0" + digits  # a landline that lost its trunk prefix with the country code
    return digits


def normalise_certificate(number: str) -> str:
    """Upper case letters and digits only: "9132 0100-1347 9100 2p" → "91320100134791002P"."""
    return _CERT_JUNK.sub("", _nfkc(number).upper())


def normalise_address(address: str) -> str:
    """Half-width, lower case, no spaces or punctuation."""
    text = _SPACE.sub("", _nfkc(address)).lower()
    return "".join(ch for ch in text if ch.isalnum())
