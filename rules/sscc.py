"""GS1 Serial Shipping Container Codes (SSCC-18), for labels of parcels with no tracking number.

SSCC = extension digit + GS1 company prefix + serial reference (17 digits
together) + a GS1 mod-10 check digit. On a label it is printed as GS1-128 with
application identifier (00).
"""

from __future__ import annotations


def check_digit(digits: str) -> int:
    """GS1 mod-10: weights 3,1,3,... from the right of the digits without the check digit."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return (10 - total % 10) % 10


def sscc(company_prefix: str, serial: int, extension: int = 0) -> str:
    """The 18-digit SSCC for the `serial`-th parcel of a company (prefix 7-10 digits)."""
    if not company_prefix.isdigit() or not 7 <= len(company_prefix) <= 10:
        raise ValueError(f"GS1 company prefix must be 7 to 10 digits, got {company_prefix!r}")
    width = 16 - len(company_prefix)
    if not 0 <= serial < 10**width:
        raise ValueError(f"serial {serial} does not fit {width} digits after prefix {company_prefix}")
    body = f"{extension % 10}{company_prefix}{serial:0{width}d}"
    return body + str(check_digit(body))


def is_valid(code: str) -> bool:
    return len(code) == 18 and code.isdigit() and int(code[-1]) == check_digit(code[:-1])
