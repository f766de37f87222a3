"""English names of countries by two-letter code, with CORDIS's own codes (EL, UK).

Covers the countries that take part in EU framework programmes and the usual partner
countries; an unknown code is shown as the code itself.
"""

from __future__ import annotations

__all__ = ["country_name"]

_NAMES = {
    "AD": "Andorra", "AE": "United Arab Emirates", "AF": "Afghanistan", "AL": "Albania",
    "AM": "Armenia", "AO": "Angola", "AR": "Argentina", "AT": "Austria", "AU": "Australia",
    "AZ": "Azerbaijan", "BA": "Bosnia and Herzegovina", "BD": "Bangladesh", "BE": "Belgium",
    "BF": "Burkina Faso", "BG": "Bulgaria", "BJ": "Benin", "BO": "Bolivia", "BR": "Brazil",
    "BW": "Botswana", "BY": "Belarus", "CA": "Canada", "CD": "DR Congo", "CH": "Switzerland",
    "CI": "Côte d'Ivoire", "CL": "Chile", "CM": "Cameroon", "CN": "China", "CO": "Colombia",
    "CR": "Costa Rica", "CU": "Cuba", "CV": "Cabo Verde", "CY": "Cyprus", "CZ": "Czechia",
    "DE": "Germany", "DK": "Denmark", "DZ": "Algeria", "EC": "Ecuador", "EE": "Estonia",
    "EG": "Egypt", "EL": "Greece", "ES": "Spain", "ET": "Ethiopia", "FI": "Finland",
    "FO": "Faroe Islands", "FR": "France", "GA": "Gabon", "GB": "United Kingdom",
    "GE": "Georgia", "GH": "Ghana", "GL": "Greenland", "GR": "Greece", "GT": "Guatemala",
    "HK": "Hong Kong", "HR": "Croatia", "HU": "Hungary", "ID": "Indonesia", "IE": "Ireland",
    "IL": "Israel", "IN": "India", "IQ": "Iraq", "IR": "Iran", "IS": "Iceland", "IT": "Italy",
    "JM": "Jamaica", "JO": "Jordan", "JP": "Japan", "KE": "Kenya", "KG": "Kyrgyzstan",
    "KR": "South Korea", "KZ": "Kazakhstan", "LB": "Lebanon", "LI": "Liechtenstein",
    "LK": "Sri Lanka", "LT": "Lithuania", "LU": "Luxembourg", "LV": "Latvia", "LY": "Libya",
    "MA": "Morocco", "MC": "Monaco", "MD": "Moldova", "ME": "Montenegro", "MG": "Madagascar",
    "MK": "North Macedonia", "ML": "Mali", "MR": "Mauritania", "MT": "Malta",
    "MU": "Mauritius", "MW": "Malawi", "MX": "Mexico", "MY": "Malaysia", "MZ": "Mozambique",
    "NA": "Namibia", "NC": "New Caledonia", "NE": "Niger", "NG": "Nigeria", "NL": "Netherlands",
    "NO": "Norway", "NP": "Nepal", "NZ": "New Zealand", "PE": "Peru", "PH": "Philippines",
    "PK": "Pakistan", "PL": "Poland", "PS": "Palestine", "PT": "Portugal", "PY": "Paraguay",
    "QA": "Qatar", "RO": "Romania", "RS": "Serbia", "RU": "Russia", "RW": "Rwanda",
    "SA": "Saudi Arabia", "SE": "Sweden", "SG": "Singapore", "SI": "Slovenia",
    "SK": "Slovakia", "SM": "San Marino", "SN": "Senegal", "SY": "Syria", "TG": "Togo",
    "TH": "Thailand", "TN": "Tunisia", "TR": "Türkiye", "TW": "Taiwan", "TZ": "Tanzania",
    "UA": "Ukraine", "UG": "Uganda", "UK": "United Kingdom", "US": "United States",
    "UY": "Uruguay", "UZ": "Uzbekistan", "VE": "Venezuela", "VN": "Viet Nam",
    "XK": "Kosovo", "ZA": "South Africa", "ZM": "Zambia", "ZW": "Zimbabwe",
}


def country_name(code: str) -> str:
    """English name of a country code, or the code itself when unknown.

    >>> country_name("EL"), country_name("MA"), country_name("QQ")
    ('Greece', 'Morocco', 'QQ')
    """
    return _NAMES.get(code.upper(), code.upper())
