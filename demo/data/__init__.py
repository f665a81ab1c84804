"""Static lists behind `manage.py seed_demo`, a module per app they seed (plain data, no imports)."""
