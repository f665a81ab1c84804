"""File imports (Atelier, Shopify and Square formats) and exports, from the command line and the admin."""
