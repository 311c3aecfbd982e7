"""The fixed set of realistic searches every benchmark run measures."""

# Each query: text, filters (facet -> slugs), sort, page. "$organisation" is
# replaced by the most used organisation of the benchmark database.
QUERIES = [
    # Browse
    {"name": "browse", "text": ""},
    {"name": "browse page 20", "text": "", "page": 20},
    {
        "name": "browse provincie",
        "text": "",
        "filters": {"provincie": ["zuid-holland"]},
    },
    {
        "name": "browse thema+beweging",
        "text": "",
        "filters": {"thema": ["ouderen-thuis"], "beweging": ["voorkomen"]},
    },
    {
        "name": "browse organisatie",
        "text": "",
        "filters": {"organisatie": ["$organisation"]},
    },
    {"name": "browse title sort p10", "text": "", "sort": "title", "page": 10},
    # Broad text
    {"name": "ouderen", "text": "ouderen"},
    {"name": "zorg", "text": "zorg"},
    {"name": "huisartsen", "text": "huisartsen"},
    {"name": "ziekenhuizen", "text": "ziekenhuizen"},
    {"name": "wijk", "text": "wijk"},
    {"name": "gemeente", "text": "gemeente"},
    # Narrow text
    {"name": "telemonitoring hartfalen", "text": "telemonitoring hartfalen"},
    {"name": "sunenz", "text": "sunenz"},
    {"name": "valpreventie", "text": "valpreventie"},
    {"name": "dementie mantelzorg", "text": "dementie mantelzorg"},
    {"name": "beeldbellen", "text": "beeldbellen"},
    {
        "name": "anderhalvelijnszorg dermatologie",
        "text": "anderhalvelijnszorg dermatologie",
    },
    {"name": "palliatieve zorg thuis", "text": "palliatieve zorg thuis"},
    {"name": "jeugd ggz school", "text": "jeugd ggz school"},
    {"name": "spoedeisende hulp ouderen", "text": "spoedeisende hulp ouderen"},
    {"name": "huisartsen ouderen thuis", "text": "huisartsen ouderen thuis"},
    {
        "name": "samenwerking gemeente zorgverzekeraar",
        "text": "samenwerking gemeente zorgverzekeraar",
    },
    {"name": "fallback to any word", "text": "ouderen plofkip"},
    # Text with filters
    {
        "name": "ouderen +provincie",
        "text": "ouderen",
        "filters": {"provincie": ["gelderland"]},
    },
    {
        "name": "zorg +thema +2 provincies",
        "text": "zorg",
        "filters": {"thema": ["acute-zorg"], "provincie": ["limburg", "zeeland"]},
    },
    {"name": "huisartsen +fase", "text": "huisartsen", "filters": {"fase": ["pilot"]}},
    {
        "name": "wijk +doelgroep +regio",
        "text": "wijk",
        "filters": {
            "doelgroep": ["kwetsbare-ouderen"],
            "zorgkantoorregio": ["rotterdam"],
        },
    },
    {
        "name": "dementie +organisatie",
        "text": "dementie",
        "filters": {"organisatie": ["$organisation"]},
    },
    # Deep pages and sorts
    {"name": "zorg page 50", "text": "zorg", "page": 50},
    {"name": "ouderen newest", "text": "ouderen", "sort": "newest"},
    {"name": "gemeente title p5", "text": "gemeente", "sort": "title", "page": 5},
]

# What someone has typed in the search box when the suggestions are asked
# (explore.views: facet values and practices, the last word completed):
# starts of common words, three letters and more, alone and after a word.
SUGGESTIONS = [
    "oud",
    "ouder",
    "dem",
    "demen",
    "thuisz",
    "huisar",
    "valp",
    "mantel",
    "ziekenh",
    "wijkver",
    "jeu",
    "ggz",
    "eenza",
    "pallia",
    "leefst",
    "zorg hui",
]
