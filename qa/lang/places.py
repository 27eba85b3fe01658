"""Country names and nationality adjectives.

Fixed lists (UN members and observers, plus the short and older names news uses), so a
capitalised word that is not a country ("Fall armyworms", "Populist") is not taken for one, and
"the French side" or "North Korean agents" are not taken for a person's or a company's name.
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


def _bare(text: str) -> str:
    """Without surrounding space and a possessive ending: "Britain's" -> "Britain"."""
    return re.sub(r"['’]s?$", "", text.strip()).strip()


def is_country(text: str) -> bool:
    """``text`` names a country: "Zambia", "the United States", "Britain's"."""
    return _bare(re.sub(r"^the\s+", "", text.strip(), flags=re.I)).lower() in COUNTRIES


_NATIONALITIES = """
Afghan American Albanian Algerian Angolan Arab Argentine Argentinian Armenian Asian Australian Austrian
Azerbaijani Azeri Bahraini Bangladeshi Basque Bavarian Belarusian Belgian Bolivian Bosnian Brazilian
British Bulgarian Burmese Cambodian Canadian Catalan Chilean Chinese Colombian Congolese Croatian Cuban
Cypriot Czech Danish Dutch Ecuadorian Egyptian Emirati English Eritrean Estonian Ethiopian European
Filipino Finnish Flemish French Georgian German Ghanaian Greek Guatemalan Haitian Honduran Hungarian
Icelandic Indian Indonesian Iranian Iraqi Irish Israeli Italian Jamaican Japanese Jordanian Kazakh
Kenyan Korean Kurdish Kuwaiti Kyrgyz Laotian Latvian Lebanese Libyan Lithuanian Macedonian Malawian
Malaysian Malian Maltese Mexican Moldovan Mongolian Montenegrin Moroccan Mozambican Namibian Nepali
Nicaraguan Nigerian Norwegian Omani Pakistani Palestinian Panamanian Paraguayan Peruvian Polish
Portuguese Qatari Romanian Russian Rwandan Salvadoran Saudi Scottish Senegalese Serbian Singaporean
Slovak Slovenian Somali Spanish Sudanese Swedish Swiss Syrian Taiwanese Tajik Tanzanian Thai Tunisian
Turkish Turkmen Ugandan Ukrainian Uruguayan Uzbek Venezuelan Vietnamese Welsh Yemeni Zambian Zimbabwean
"""

NATIONALITIES = frozenset(_NATIONALITIES.split())


def is_nationality(text: str) -> bool:
    """"French", "North Korean", "South African", "Sri Lankan", "Costa Rican's"."""
    t = re.sub(r"^(?:North|South|East|West|Sri|Costa|New|Papua New)\s+", "", _bare(text))
    return t in NATIONALITIES or (t.endswith("n") and t[:-1].lower() in COUNTRIES)
