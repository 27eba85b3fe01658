"""Country names: what a "which country" question can be answered with.

A fixed list (UN members and observers, plus the short and older names news uses), so a
capitalised word that is not a country ("Fall armyworms", "Populist") is not taken for one.
"""

from __future__ import annotations

import re

_NAMES = """
Afghanistan; Albania; Algeria; Andorra; Angola; Antigua and Barbuda; Argentina; Armenia; Australia;
Austria; Azerbaijan; Bahamas; Bahrain; Bangladesh; Barbados; Belarus; Belgium; Belize; Benin; Bhutan;
Bolivia; Bosnia and Herzegovina; Bosnia; Botswana; Brazil; Brunei; Bulgaria; Burkina Faso; Burundi;
Cabo Verde; Cape Verde; Cambodia; Cameroon; Canada; Central African Republic; Chad; Chile; China;
Colombia; Comoros; Congo; Democratic Republic of the Congo; Democratic Republic of Congo; DR Congo; DRC;
Costa Rica; Ivory Coast; Cote d'Ivoire; Côte d'Ivoire; Croatia; Cuba; Cyprus; Czech Republic; Czechia;
Denmark; Djibouti; Dominica; Dominican Republic; East Timor; Timor-Leste; Ecuador; Egypt; El Salvador;
Equatorial Guinea; Eritrea; Estonia; Eswatini; Swaziland; Ethiopia; Fiji; Finland; France; Gabon;
Gambia; Georgia; Germany; Ghana; Greece; Grenada; Guatemala; Guinea; Guinea-Bissau; Guyana; Haiti;
Honduras; Hungary; Iceland; India; Indonesia; Iran; Iraq; Ireland; Israel; Italy; Jamaica; Japan;
Jordan; Kazakhstan; Kenya; Kiribati; Kuwait; Kyrgyzstan; Laos; Latvia; Lebanon; Lesotho; Liberia;
Libya; Liechtenstein; Lithuania; Luxembourg; Madagascar; Malawi; Malaysia; Maldives; Mali; Malta;
Marshall Islands; Mauritania; Mauritius; Mexico; Micronesia; Moldova; Monaco; Mongolia; Montenegro;
Morocco; Mozambique; Myanmar; Burma; Namibia; Nauru; Nepal; Netherlands; Holland; New Zealand;
Nicaragua; Niger; Nigeria; North Korea; North Macedonia; Macedonia; Norway; Oman; Pakistan; Palau;
Palestine; Panama; Papua New Guinea; Paraguay; Peru; Philippines; Poland; Portugal; Qatar; Romania;
Russia; Russian Federation; Rwanda; Saint Kitts and Nevis; Saint Lucia; Saint Vincent and the Grenadines;
Samoa; San Marino; Sao Tome and Principe; Saudi Arabia; Senegal; Serbia; Seychelles; Sierra Leone;
Singapore; Slovakia; Slovenia; Solomon Islands; Somalia; South Africa; South Korea; Korea; South Sudan;
Spain; Sri Lanka; Sudan; Suriname; Sweden; Switzerland; Syria; Taiwan; Tajikistan; Tanzania; Thailand;
Togo; Tonga; Trinidad and Tobago; Tunisia; Turkey; Türkiye; Turkmenistan; Tuvalu; Uganda; Ukraine;
United Arab Emirates; UAE; United Kingdom; UK; U.K.; Britain; Great Britain; England; Scotland; Wales;
Northern Ireland; United States; United States of America; US; U.S.; USA; America; Uruguay; Uzbekistan;
Vanuatu; Vatican; Vatican City; Holy See; Venezuela; Vietnam; Viet Nam; Yemen; Zambia; Zimbabwe;
Kosovo; Greenland; Hong Kong; Macau; Puerto Rico; Soviet Union; USSR; Yugoslavia; Czechoslovakia
"""

COUNTRIES = frozenset(n.strip().lower() for n in _NAMES.replace("\n", " ").split(";") if n.strip())


def is_country(text: str) -> bool:
    """``text`` names a country: "Zambia", "the United States", "Britain's"."""
    t = re.sub(r"^the\s+", "", text.strip(), flags=re.I)
    t = re.sub(r"['’]s?$", "", t).strip().lower()
    return t in COUNTRIES
