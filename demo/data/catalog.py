"""Demo data for the catalog: designers, categories, item types, words for product names."""

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

# What each colour looks like in the generated product pictures (demo.catalog_images).
COLOUR_HEX = {
    "Black": "#1d1d1f", "Ivory": "#efe7d6", "Navy": "#1f2a44", "Camel": "#b5854b",
    "Bordeaux": "#6d1a2a", "Forest": "#2c4a36", "Stone": "#a39d92", "Blush": "#e3b3aa",
}

# Product names that make sense for their kind: (words before the noun, nouns) per item type.
# "Double-Faced Wrap Coat", "Automatic Dress Watch", "Fig & Cedar Candle"; the colour is the
# variant's, so a cart line reads "Double-Faced Wrap Coat – M / Camel".
PRODUCT_NAMES = {
    "Coat": (["Cashmere", "Double-Faced", "Belted", "Wool-Blend", "Tailored", "Quilted"],
             ["Wrap Coat", "Trench Coat", "Overcoat", "Car Coat", "Cocoon Coat"]),
    "Dress": (["Silk", "Pleated", "Satin", "Embroidered", "Velvet", "Crepe"],
              ["Midi Dress", "Slip Dress", "Shirt Dress", "Wrap Dress", "Column Gown"]),
    "Blazer": (["Tailored", "Tweed", "Linen", "Wool", "Velvet", "Houndstooth"],
               ["Blazer", "Single-Breasted Jacket", "Double-Breasted Jacket", "Dinner Jacket"]),
    "Knitwear": (["Cashmere", "Merino", "Cable-Knit", "Ribbed", "Alpaca"],
                 ["Crewneck Sweater", "Cardigan", "Turtleneck", "V-Neck Sweater", "Polo Sweater"]),
    "Sneakers": (["Leather", "Suede", "Canvas", "Calfskin", "Monogram"],
                 ["Low-Top Sneakers", "High-Top Sneakers", "Runner Sneakers", "Court Sneakers"]),
    "Pumps": (["Patent", "Suede", "Satin", "Leather", "Slingback"],
              ["Pumps", "Kitten-Heel Pumps", "Pointed Pumps", "Block-Heel Pumps"]),
    "Tote": (["Leather", "Grained Calfskin", "Canvas", "Monogram", "Quilted"],
             ["Tote", "Shopper Tote", "Mini Tote", "Weekend Tote"]),
    "Necklace": (["Sterling", "Gold-Tone", "Pearl", "Enamel", "Diamond"],
                 ["Pendant Necklace", "Chain Necklace", "Choker", "Locket Necklace"]),
    "Watch": (["Automatic", "Chronograph", "Moonphase", "Steel", "Heritage"],
              ["Dress Watch", "Diver's Watch", "Field Watch", "Watch"]),
    "Scarf": (["Silk Twill", "Cashmere", "Wool", "Monogram", "Printed Silk"],
              ["Scarf", "Stole", "Bandana", "Long Scarf"]),
    "Candle": (["Fig & Cedar", "Amber & Oud", "Tuberose", "Vetiver", "Orange Blossom", "Smoked Tea"],
               ["Candle", "Three-Wick Candle", "Travel Candle"]),
}

COLLECTIONS = [
    ("new-arrivals", "New Arrivals", "The latest pieces, just in."),
    ("holiday-gifting", "Holiday Gifting", "Gifts for everyone on the list."),
    ("resort-edit", "Resort Edit", "Light layers for warm destinations."),
    ("the-icons", "The Icons", "Signature pieces that never leave the floor."),
]

# (currency, factor on the US price) of the price lists beside the US one: Paris sells at EUR prices
# the merchandiser set (here the US price x 0.95, rounded like it), never a live conversion.
PRICE_LISTS = [("EUR", "0.95")]
