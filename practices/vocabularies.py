"""Fixed vocabularies of the JZOJP domain.

Provinces, care office regions (zorgkantoorregio's), the three movements, the
phases and the organisation types are facts of the Dutch healthcare system, not
editorial choices. They live here once, so that migrations, demo content, the
submission form and the search backends all agree on the same slugs.
"""

PROVINCES = [
    # (slug, name)
    ("groningen", "Groningen"),
    ("fryslan", "Fryslân"),
    ("drenthe", "Drenthe"),
    ("overijssel", "Overijssel"),
    ("flevoland", "Flevoland"),
    ("gelderland", "Gelderland"),
    ("utrecht", "Utrecht"),
    ("noord-holland", "Noord-Holland"),
    ("zuid-holland", "Zuid-Holland"),
    ("zeeland", "Zeeland"),
    ("noord-brabant", "Noord-Brabant"),
    ("limburg", "Limburg"),
    ("landelijk", "Landelijk"),
]

CARE_OFFICE_REGIONS = [
    # (slug, name, province slug)
    ("groningen", "Groningen", "groningen"),
    ("friesland", "Friesland", "fryslan"),
    ("drenthe", "Drenthe", "drenthe"),
    ("zwolle", "Zwolle", "overijssel"),
    ("twente", "Twente", "overijssel"),
    ("midden-ijssel", "Midden-IJssel", "overijssel"),
    ("apeldoorn-zutphen", "Apeldoorn, Zutphen e.o.", "gelderland"),
    ("arnhem", "Arnhem", "gelderland"),
    ("nijmegen", "Nijmegen", "gelderland"),
    ("utrecht", "Utrecht", "utrecht"),
    ("t-gooi", "'t Gooi", "noord-holland"),
    ("flevoland", "Flevoland", "flevoland"),
    ("noord-holland-noord", "Noord-Holland Noord", "noord-holland"),
    ("kennemerland", "Kennemerland", "noord-holland"),
    ("zaanstreek-waterland", "Zaanstreek/Waterland", "noord-holland"),
    ("amsterdam", "Amsterdam", "noord-holland"),
    ("amstelland-en-de-meerlanden", "Amstelland en de Meerlanden", "noord-holland"),
    ("zuid-holland-noord", "Zuid-Holland Noord", "zuid-holland"),
    ("haaglanden", "Haaglanden", "zuid-holland"),
    ("delft-westland-oostland", "Delft Westland Oostland", "zuid-holland"),
    ("midden-holland", "Midden-Holland", "zuid-holland"),
    ("rotterdam", "Rotterdam", "zuid-holland"),
    ("waardenland", "Waardenland", "zuid-holland"),
    ("zuid-hollandse-eilanden", "Zuid-Hollandse Eilanden", "zuid-holland"),
    ("zeeland", "Zeeland", "zeeland"),
    ("west-brabant", "West-Brabant", "noord-brabant"),
    ("midden-brabant", "Midden-Brabant", "noord-brabant"),
    ("noordoost-brabant", "Noordoost-Brabant", "noord-brabant"),
    ("zuidoost-brabant", "Zuidoost-Brabant", "noord-brabant"),
    ("noord-en-midden-limburg", "Noord- en Midden-Limburg", "limburg"),
    ("zuid-limburg", "Zuid-Limburg", "limburg"),
]

MOVEMENTS = [
    # (slug, name, description)
    ("voorkomen", "Voorkomen", "Duurdere zorg voorkomen, onder meer door preventie."),
    (
        "verplaatsen",
        "Verplaatsen",
        "Zorg dichter bij huis brengen, of verder weg concentreren als de kwaliteit "
        "dat vraagt.",
    ),
    (
        "vervangen",
        "Vervangen",
        "Zorg vervangen door andere vormen, zoals e-health, beeldbellen of "
        "telemonitoring.",
    ),
]
