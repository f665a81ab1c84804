"""Demo data for clienteling: the company, its stores and staff, and its customers' lives."""

# (code, name, country, currency)
LEGAL_ENTITIES = [
    ("atelier-us", "Atelier US", "US", "USD"),
    ("atelier-fr", "Atelier France", "FR", "EUR"),
]

# (legal entity code, group name)
STORE_GROUPS = [
    ("atelier-us", "US Stores"),
    ("atelier-fr", "France Stores"),
]

# Phone numbers are real-format, valid for phonenumbers, and not 555 numbers.
STORES = [
    {
        "code": "ny", "name": "Atelier New York", "legal_entity": "atelier-us",
        "group": "US Stores", "timezone": "America/New_York", "currency": "USD",
        "country": "US", "address_line1": "712 Madison Avenue", "city": "New York",
        "state": "NY", "zip_code": "10065", "clienteling_phone": "+12124680172",
        "whatsapp_sender": "+12124680173",
    },
    {
        "code": "la", "name": "Atelier Los Angeles", "legal_entity": "atelier-us",
        "group": "US Stores", "timezone": "America/Los_Angeles", "currency": "USD",
        "country": "US", "address_line1": "340 North Rodeo Drive", "city": "Beverly Hills",
        "state": "CA", "zip_code": "90210", "clienteling_phone": "+13102749381",
        "whatsapp_sender": "+13102749382",
    },
    {
        "code": "paris", "name": "Atelier Paris", "legal_entity": "atelier-fr",
        "group": "France Stores", "timezone": "Europe/Paris", "currency": "EUR",
        "country": "FR", "address_line1": "24 rue du Faubourg Saint-Honoré", "city": "Paris",
        "state": "", "zip_code": "75008", "clienteling_phone": "+33142681734",
        "whatsapp_sender": "+33142681735",
    },
]

# Share of customers per store (same order as STORES).
STORE_WEIGHTS = [0.42, 0.30, 0.28]

# (username, first name, last name, role, home store code, extra store codes)
STAFF = [
    ("admin", "Claire", "Whitmore", "company_admin", "ny", ["la", "paris"]),
    ("manager.ny", "Marcus", "Bennett", "store_manager", "ny", []),
    ("manager.la", "Sofia", "Alvarez", "store_manager", "la", []),
    ("manager.paris", "Hélène", "Marchand", "store_manager", "paris", []),
    ("associate.ny1", "Olivia", "Chen", "associate", "ny", []),
    ("associate.ny2", "James", "O'Connor", "associate", "ny", []),
    ("associate.ny3", "Priya", "Raman", "associate", "ny", []),
    ("associate.la1", "Diego", "Navarro", "associate", "la", []),
    ("associate.la2", "Hannah", "Kim", "associate", "la", []),
    ("associate.paris1", "Camille", "Lefèvre", "associate", "paris", []),
    ("associate.paris2", "Julien", "Moreau", "associate", "paris", []),
    ("associate.paris3", "Inès", "Benali", "associate", "paris", []),
]

DEMO_PASSWORD = "atelier-demo"

US_FIRST_NAMES = [
    "Emma", "Olivia", "Ava", "Sophia", "Isabella", "Charlotte", "Amelia", "Mia", "Harper",
    "Evelyn", "Abigail", "Emily", "Elizabeth", "Sofia", "Madison", "Avery", "Ella", "Scarlett",
    "Grace", "Victoria", "Chloe", "Camila", "Penelope", "Riley", "Layla", "Lillian", "Nora",
    "Zoey", "Hannah", "Lily", "Eleanor", "Aurora", "Stella", "Natalie", "Zoe", "Leah", "Hazel",
    "Violet", "Audrey", "Claire", "Lucy", "Anna", "Caroline", "Genesis", "Aaliyah", "Kennedy",
    "Maya", "Naomi", "Julia", "Catherine", "Vivian", "Margaret", "Diana", "Rachel", "Meredith",
    "Liam", "Noah", "William", "James", "Oliver", "Benjamin", "Elijah", "Lucas", "Mason",
    "Logan", "Alexander", "Ethan", "Jacob", "Michael", "Daniel", "Henry", "Jackson", "Sebastian",
    "Aiden", "Matthew", "Samuel", "David", "Joseph", "Carter", "Owen", "Wyatt", "John", "Jack",
    "Luke", "Jayden", "Dylan", "Gabriel", "Isaac", "Anthony", "Andrew", "Julian", "Charles",
    "Thomas", "Christopher", "Jonathan", "Nathan", "Adrian", "Marcus", "Vincent", "Theodore",
    "Kenji", "Wei", "Ravi", "Arjun", "Min-jun", "Hiroshi", "Mei", "Aisha", "Fatima", "Yara",
]

US_LAST_NAMES = [
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor",
    "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez",
    "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright",
    "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Hall",
    "Rivera", "Campbell", "Mitchell", "Carter", "Roberts", "Chen", "Wang", "Patel", "Kim",
    "Park", "Shah", "Cohen", "Goldberg", "Rossi", "Russo", "Murphy", "Sullivan", "Kennedy",
    "Fitzgerald", "Vanderbilt", "Whitaker", "Ashford", "Pemberton", "Harrington", "Lancaster",
    "Montgomery", "Sinclair", "Caldwell", "Hayes", "Morgan", "Price", "Bennett", "Wood",
    "Brooks", "Kelly", "Sanders", "Reed", "Cook", "Bell", "Ortiz", "Morales", "Tanaka",
    "Yamamoto", "Singh", "Kaur", "Okafor", "Adeyemi", "Haddad", "Kowalski", "Novak", "Larsen",
]

FR_FIRST_NAMES = [
    "Louise", "Alice", "Chloé", "Emma", "Inès", "Léa", "Manon", "Jade", "Camille", "Juliette",
    "Charlotte", "Margaux", "Clémence", "Éléonore", "Héloïse", "Apolline", "Victoire", "Adèle",
    "Anaïs", "Sarah", "Élise", "Mathilde", "Pauline", "Agathe", "Capucine", "Constance",
    "Gabriel", "Louis", "Raphaël", "Jules", "Adam", "Lucas", "Léo", "Hugo", "Arthur", "Nathan",
    "Théo", "Paul", "Mathis", "Victor", "Antoine", "Maxime", "Alexandre", "Baptiste", "Étienne",
    "Henri", "Augustin", "Côme", "Thibault", "Édouard", "Yasmine", "Karim", "Mehdi", "Sofiane",
    "Amir", "Lina", "Nour", "Yuki", "Mei", "Anton",
]

FR_LAST_NAMES = [
    "Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand", "Dubois", "Moreau",
    "Laurent", "Simon", "Michel", "Lefèvre", "Leroy", "Roux", "David", "Bertrand", "Morel",
    "Fournier", "Girard", "Bonnet", "Dupont", "Lambert", "Fontaine", "Rousseau", "Vincent",
    "Muller", "Lefebvre", "Faure", "André", "Mercier", "Blanc", "Guérin", "Boyer", "Garnier",
    "Chevalier", "François", "Legrand", "Gauthier", "Perrin", "Robin", "Clément", "Morin",
    "Nicolas", "Henry", "Roussel", "Mathieu", "Gautier", "Masson", "Marchand", "Duval",
    "Denis", "Dumont", "Marie", "Lemaire", "Noël", "Meyer", "Dufour", "Meunier", "Brun",
    "de La Rochefoucauld", "de Noailles", "d'Harcourt", "Benali", "Haddad", "Nguyen", "Cohen",
]

PARTNER_FIRST_NAMES_US = [
    "Alex", "Jordan", "Taylor", "Morgan", "Sam", "Chris", "Jamie", "Robin", "Casey", "Drew",
    "Elena", "Peter", "Laura", "Richard", "Susan", "Paul", "Kate", "Mark", "Anne", "Steven",
]

PARTNER_FIRST_NAMES_FR = [
    "Dominique", "Claude", "Camille", "Sacha", "Pierre", "Marie", "Sophie", "Jean", "Nicolas",
    "Isabelle", "François", "Valérie", "Philippe", "Nathalie", "Olivier", "Céline",
]

EMAIL_DOMAINS = ["example.com", "example.net", "example.org"]

# Mobile ranges per store: US area codes (+1 NPA [2-9]XX XXXX) and French mobiles.
US_AREA_CODES = {"ny": [212, 646, 917, 718, 347], "la": [310, 323, 213, 424, 818]}

# +33 6 and +33 7 second digits that phonenumbers treats as valid mobile ranges.
FR_MOBILE_PREFIXES = ["60", "61", "62", "64", "65", "66", "67", "68", "73", "75", "76", "77",
                      "78"]

FR_LANDLINE_PREFIXES = ["14", "15"]  # Paris (01 4x, 01 5x)

# (street names, city, state, zip prefix or list) per store
ADDRESSES = {
    "ny": {
        "streets": ["Park Avenue", "Fifth Avenue", "Madison Avenue", "East 72nd Street",
                    "West 86th Street", "Central Park West", "Greenwich Street", "Hudson Street",
                    "Bleecker Street", "Columbus Avenue", "Lexington Avenue", "Riverside Drive",
                    "Bedford Avenue", "Atlantic Avenue"],
        "cities": [("New York", "NY", ["10021", "10022", "10024", "10065", "10075", "10013",
                                       "10014", "10023"]),
                   ("Brooklyn", "NY", ["11201", "11211", "11215", "11217"]),
                   ("Greenwich", "CT", ["06830", "06831"]),
                   ("Scarsdale", "NY", ["10583"])],
    },
    "la": {
        "streets": ["Sunset Boulevard", "Wilshire Boulevard", "Ocean Avenue", "Montana Avenue",
                    "North Canon Drive", "Mulholland Drive", "Benedict Canyon Drive",
                    "Abbot Kinney Boulevard", "Melrose Avenue", "San Vicente Boulevard"],
        "cities": [("Los Angeles", "CA", ["90024", "90049", "90077", "90069", "90046"]),
                   ("Beverly Hills", "CA", ["90210", "90211", "90212"]),
                   ("Santa Monica", "CA", ["90401", "90402", "90403"]),
                   ("Malibu", "CA", ["90265"]),
                   ("Pasadena", "CA", ["91101", "91105"])],
    },
    "paris": {
        "streets": ["rue de Rivoli", "avenue Montaigne", "rue Saint-Honoré", "boulevard Haussmann",
                    "rue de Grenelle", "avenue Foch", "rue du Bac", "quai Voltaire",
                    "rue de Sèvres", "avenue Victor-Hugo", "rue des Francs-Bourgeois",
                    "boulevard Saint-Germain"],
        "cities": [("Paris", "", ["75001", "75003", "75004", "75006", "75007", "75008",
                                  "75016", "75017"]),
                   ("Neuilly-sur-Seine", "", ["92200"]),
                   ("Boulogne-Billancourt", "", ["92100"]),
                   ("Versailles", "", ["78000"])],
    },
}

STYLE_NOTES = [
    "Prefers tailored silhouettes; no logos.",
    "Loves bold prints for summer.",
    "Classic neutrals, quiet luxury.",
    "Shops for the whole family at the holidays.",
    "Collects limited editions; call first when they arrive.",
    "Needs petite sizing; alterations always.",
    "Travels often; prefers lightweight fabrics.",
    "Buys gifts for partner's birthday every year.",
    "Interested in fine jewelry and watches.",
    "Private appointments only, mornings.",
    "Avoids wool; sensitive skin.",
    "Favours Italian leather goods.",
]

NOTES = [
    "Asked to be called when the new season's outerwear arrives.",
    "Came in with her daughter; looking for a graduation gift.",
    "Prefers fittings on Saturday mornings.",
    "Mentioned an upcoming gala in the spring.",
    "Moving to a new apartment; interested in home collection.",
    "Very happy with the last alteration. Send thank-you card.",
    "Wants first look at the trunk show pieces.",
    "Returned the loafers; size ran small. Try half a size up.",
    "Partner's birthday next month; suggested the silk scarf.",
    "Travelling for work most of the summer; reach by email.",
]

TASK_TITLES = [
    "Call about the new arrivals",
    "Send a thank-you note",
    "Follow up on the alteration",
    "Invite to the trunk show",
    "Check in after the purchase",
    "Share the new season lookbook",
    "Book a private appointment",
    "Remind about the wishlist item back in stock",
    "Birthday wishes",
    "Confirm the special order",
]

# (activity type slug, summaries)
ACTIVITY_SUMMARIES = {
    "store-visit": ["Browsed the new collection", "Came in for a fitting", "Picked up an order"],
    "phone-call": ["Called about new arrivals", "Confirmed appointment by phone",
                   "Follow-up call after purchase"],
    "email": ["Sent the lookbook", "Emailed order confirmation", "Shared event invitation"],
    "appointment": ["Private styling appointment", "Fitting appointment", "Wardrobe consultation"],
    "private-viewing": ["Private viewing of the new season", "Trunk show preview"],
    "gift-sent": ["Sent birthday flowers", "Sent holiday gift", "Sent thank-you gift box"],
}

TEXT_PREVIEWS = [
    ("Thank you so much, see you Saturday!", True),
    ("Is the navy coat still available in a 40?", True),
    ("Perfect, please hold it for me.", True),
    ("Hi! The pieces you asked about just arrived.", False),
    ("Your alteration is ready for pickup.", False),
    ("Happy birthday from all of us at the store!", False),
    ("We'd love to see you at the trunk show next week.", False),
]

WISHLIST_NOTES = ["", "", "", "Wants it in black", "For her birthday", "Waiting for restock",
                  "Gift idea", "Size to confirm"]

ATTRIBUTE_GROUPS = [("Preferences", 1), ("Loyalty", 2)]

# (name, slug, type, group, flags, options)
ATTRIBUTES = [
    ("Last Visit", "last-visit", "date", "Preferences",
     {"customer_editable": True, "channel_store": True, "enabled_as_filter": True,
      "can_be_refined": True}, []),
    ("Preferred Contact", "preferred-contact", "single_choice", "Preferences",
     {"enabled_as_filter": True, "can_be_refined": True, "show_on_card": True},
     [("phone", "Phone"), ("sms", "SMS"), ("email", "Email"), ("whatsapp", "WhatsApp")]),
    ("Shoe Size", "shoe-size", "decimal", "Preferences",
     {"enabled_as_filter": True, "customer_editable": True, "channel_web": True}, []),
    ("Favourite Colours", "favourite-colours", "multiple_choice", "Preferences",
     {"enabled_as_filter": True, "can_be_refined": True, "allows_multiple": True},
     [("black", "Black"), ("ivory", "Ivory"), ("navy", "Navy"), ("camel", "Camel"),
      ("red", "Red"), ("green", "Green"), ("pastels", "Pastels")]),
    ("VIP", "vip", "boolean", "Loyalty",
     {"enabled_as_filter": True, "can_be_refined": True, "show_on_card": True}, []),
    ("Loyalty Points", "loyalty-points", "number", "Loyalty",
     {"enabled_as_filter": True, "show_on_card": True, "channel_app": True}, []),
    ("Style Notes", "style-notes", "text", "Preferences", {}, []),
]

# Customer card: a measure first, then attributes (by slug).
CARD_PROPERTIES = [(1, "sales_12mo", None), (2, "", "vip"), (3, "", "preferred-contact")]

# (slug, name, is outreach list, store code or None)
TAGS = [
    ("vip", "VIP", False, None),
    ("bridal", "Bridal", False, None),
    ("menswear", "Menswear", False, None),
    ("jewelry-lover", "Jewelry Lover", False, None),
    ("gift-buyer", "Gift Buyer", False, None),
    ("press", "Press / Influencer", False, None),
    ("private-client", "Private Client", False, None),
    ("summer-campaign", "Summer Campaign", True, None),
    ("holiday-preview", "Holiday Preview", True, None),
    ("trunk-show-ny", "Trunk Show New York", True, "ny"),
]

# (slug, name, description)
MAILING_LISTS = [
    ("newsletter", "Newsletter", "Monthly news from the house."),
    ("events", "Events & Trunk Shows", "Invitations to store events."),
    ("new-arrivals", "New Arrivals", "First look at new pieces."),
    ("private-sales", "Private Sales", "Invitation-only sales."),
]
