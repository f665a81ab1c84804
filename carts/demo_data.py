"""Static lists behind `manage.py seed_demo`: names, places, catalog words.

Everything here is plain data (no imports), so the generator stays readable
and the lists can grow without touching the code that uses them.
"""

# --- Org ---------------------------------------------------------------------

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

# --- Customers -----------------------------------------------------------------

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

# --- Catalog -----------------------------------------------------------------------

DESIGNERS = [
    "Maison Verdier", "Castellane", "Aurelio Bassi", "Hollis & Crane", "Severine Laurent",
    "Ondine Paris", "Kasimir", "Valmont Atelier", "Rosalind Hart", "Tessaro", "Noémie Duval",
    "Blackwood & Finch",
]

CATEGORIES = [
    "Womenswear", "Menswear", "Shoes", "Handbags", "Jewelry", "Watches", "Accessories", "Home",
]

# (item type, category, price range in USD, sizes)
CLOTHING_SIZES = ["XS", "S", "M", "L", "XL"]
SHOE_SIZES = ["36", "37", "38", "39", "40", "41", "42", "43", "44"]
ITEM_TYPES = [
    ("Coat", "Womenswear", (1800, 6500), CLOTHING_SIZES),
    ("Dress", "Womenswear", (900, 4800), CLOTHING_SIZES),
    ("Blazer", "Menswear", (1200, 3900), ["46", "48", "50", "52", "54"]),
    ("Knitwear", "Menswear", (450, 1600), CLOTHING_SIZES),
    ("Sneakers", "Shoes", (450, 1100), SHOE_SIZES),
    ("Pumps", "Shoes", (650, 1400), SHOE_SIZES),
    ("Tote", "Handbags", (1500, 5200), []),
    ("Necklace", "Jewelry", (1200, 18000), []),
    ("Watch", "Watches", (3500, 28000), []),
    ("Scarf", "Accessories", (350, 950), []),
    ("Candle", "Home", (85, 240), []),
]

PRODUCT_ADJECTIVES = [
    "Cashmere", "Silk", "Double-Faced", "Tailored", "Pleated", "Quilted", "Embroidered",
    "Oversized", "Cropped", "Belted", "Leather", "Suede", "Merino", "Tweed", "Satin", "Velvet",
    "Gold-Tone", "Sterling", "Monogram", "Signature", "Heritage", "Riviera", "Midnight",
    "Ivory", "Camel",
]

COLOURS = ["Black", "Ivory", "Navy", "Camel", "Bordeaux", "Forest", "Stone", "Blush"]

COLLECTIONS = [
    ("new-arrivals", "New Arrivals", "The latest pieces, just in."),
    ("holiday-gifting", "Holiday Gifting", "Gifts for everyone on the list."),
    ("resort-edit", "Resort Edit", "Light layers for warm destinations."),
    ("the-icons", "The Icons", "Signature pieces that never leave the floor."),
]

# --- Configuration -------------------------------------------------------------------

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

QUICK_REPLIES = [
    ("Thanks", "Thank you! Let me know if there's anything else I can do for you."),
    ("On hold", "I've put it on hold for you until the end of the week."),
    ("Store hours", "We're open Monday to Saturday, 10am to 7pm, and Sunday noon to 6pm."),
    ("Call back", "I'm with a client right now; I'll call you back within the hour."),
    ("Alteration ready", "Good news: your alteration is ready. When would you like to pick it up?"),
]

# (name, price, currency, position): free shipping is offered everywhere (no currency); a paid
# option is priced in each currency it is offered in.
SHIPPING_OPTIONS = [("Standard (3-5 days)", "0.00", "", 1), ("Express (next day)", "35.00", "USD", 2),
                    ("Express (next day)", "30.00", "EUR", 3)]

# (currency, factor on the US price) of the price lists beside the US one: Paris sells at EUR prices
# the merchandiser set (here the US price x 0.95, rounded like it), never a live conversion.
PRICE_LISTS = [("EUR", "0.95")]

DISCOUNT_LIMITS = [("associate", "10"), ("store_manager", "25"), ("company_admin", "100")]

# (store code, tax rate, prices include tax, mixed cart)
CART_SETTINGS = [("ny", "8.875", False, True), ("la", "9.5", False, False),
                 ("paris", "20", True, False)]

# (channel, name, event, status, category, subject, body, variable sources)
MESSAGE_TEMPLATES = [
    ("whatsapp", "atelier_opt_in", "opt_in", "mapped", "utility", "",
     "Hi {{1}}, this is {{2}} from {{3}}. May we send you updates and offers on WhatsApp? "
     "Reply YES to agree.",
     ["customer_first_name", "associate_first_name", "store_name"]),
    ("whatsapp", "atelier_product_share", "product_sharing", "mapped", "marketing", "",
     "Hi {{1}}, I thought you'd love this: {{2}} ({{3}}). Take a look: {{4}}",
     ["customer_first_name", "product_title", "product_price", "product_link"]),
    ("whatsapp", "atelier_cart_share", "cart_sharing", "approved", "utility", "",
     "Hi {{1}}, your selection is ready ({{2}}). Pay securely here: {{3}}",
     ["customer_first_name", "cart_total", "cart_link"]),
    ("whatsapp", "atelier_follow_up", "other", "received", "marketing", "",
     "Hi {{1}}, it's {{2}} from {{3}}. {{4}}",
     ["customer_first_name", "associate_first_name", "store_name", "custom_text"]),
    ("sms", "SMS opt-in", "opt_in", "mapped", "utility", "",
     "{{1}} from {{2}} here. Reply YES to receive texts from us. Msg&data rates may apply. "
     "Reply STOP to opt out.",
     ["associate_first_name", "store_name"]),
    ("sms", "SMS product share", "product_sharing", "mapped", "marketing", "",
     "Hi {{1}}, have a look at {{2}}: {{3}}",
     ["customer_first_name", "product_title", "product_link"]),
    ("sms", "SMS cart share", "cart_sharing", "mapped", "utility", "",
     "Hi {{1}}, your cart ({{2}}) is ready to pay: {{3}}",
     ["customer_first_name", "cart_total", "cart_link"]),
    ("email", "Email opt-in", "opt_in", "mapped", "utility", "Stay in touch with {{2}}",
     "Dear {{1}},\n\nWould you like to hear from us about new arrivals and private events? "
     "Just reply to this email to agree.\n\n{{2}}",
     ["customer_first_name", "store_name"]),
    ("email", "Email product share", "product_sharing", "mapped", "marketing",
     "A piece chosen for you",
     "Dear {{1}},\n\nI thought of you when this arrived: {{2}}.\n\n{{3}}\n\nWarm regards,\n{{4}}",
     ["customer_first_name", "product_title", "product_link", "associate_first_name"]),
    ("email", "Email cart share", "cart_sharing", "mapped", "utility", "Your selection",
     "Dear {{1}},\n\nYour selection totals {{2}}. You can pay securely here: {{3}}\n\n{{4}}",
     ["customer_first_name", "cart_total", "cart_link", "associate_first_name"]),
    ("sms", "SMS collection share", "collection_sharing", "mapped", "marketing", "",
     "Hi {{1}}, a selection from {{2}} for you: {{3}}",
     ["customer_first_name", "store_name", "collection_link"]),
    ("sms", "SMS product list share", "product_list_sharing", "mapped", "marketing", "",
     "Hi {{1}}, I picked these for you: {{2}}",
     ["customer_first_name", "product_list_link"]),
    ("sms", "SMS payment receipt", "receipt", "mapped", "utility", "",
     "Thank you {{1}}! We received your payment of {{2}}. {{3}}",
     ["customer_first_name", "cart_total", "store_name"]),
    ("email", "Email collection share", "collection_sharing", "mapped", "marketing",
     "A selection for you",
     "Dear {{1}},\n\nI put together a selection I think you will love: {{2}}\n\n{{3}}",
     ["customer_first_name", "collection_link", "associate_first_name"]),
    ("email", "Email payment receipt", "receipt", "mapped", "utility", "Thank you for your purchase",
     "Dear {{1}},\n\nWe received your payment of {{2}}. Thank you!\n\n{{3}}",
     ["customer_first_name", "cart_total", "store_name"]),
]


# Demo threads per store: (consent, [(who, text), ...]). "opt_in" starts with the opt-in
# request; "us" is the associate, "them" the customer (through the inbound path, as a
# real reply would arrive). The last line from "them" leaves the thread unread.
DEMO_THREADS = [
    ("not_asked", [("opt_in", ""), ("them", "START"),
                   ("us", "Thank you! I'll send you a note when the new season arrives.")]),
    ("opted_in", [("us", "The cashmere coat you asked about is back in camel, size S. "
                         "Shall I put one aside?"),
                  ("them", "Yes please! Can I come by on Saturday afternoon?")]),
    ("opted_in", [("them", "Hi, do you still have the silk scarf from the window?")]),
    ("opted_in", [("us", "Your alterations are ready, see you soon!"), ("them", "Perfect, thank you"),
                  ("us", "My pleasure. The fitting room is yours whenever you like.")]),
]
