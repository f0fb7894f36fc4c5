"""Masking of personal data in lists and exports (NFR-02): certificate and phone numbers
show their ends only, unless the reader's role may see them whole."""


def mask_middle(value: str, *, keep_start: int, keep_end: int, char: str = "*") -> str:
    if not value:
        return value
    if len(value) <= keep_start + keep_end:
        return char * len(value)
    return value[:keep_start] + char * (len(value) - keep_start - keep_end) + value[len(value) - keep_end:]


def mask_phone(value: str) -> str:
    """13812345678 → 138****5678; a fixed line keeps its area code and last four digits."""
    return mask_middle(value, keep_start=3, keep_end=4)


def mask_certificate(value: str) -> str:
    """320102199001011234 → 3201**********1234."""
    return mask_middle(value, keep_start=4, keep_end=4)
