"""`manage.py compile_translations`: the .po catalogs under LOCALE_PATHS into .mo files.

Django's `compilemessages` needs GNU gettext's msgfmt on the machine; this needs only
polib, so `make run`, the tests and a deploy compile the same way everywhere. A catalog
whose .mo is newer than its .po is left alone.
"""

from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Compile the translation catalogs (.po) into .mo files, without GNU gettext."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Compile even up-to-date catalogs.")

    def handle(self, *args, force=False, **options):
        compiled = 0
        for root in map(Path, settings.LOCALE_PATHS):
            for po_path in sorted(root.glob("*/LC_MESSAGES/*.po")):
                mo_path = po_path.with_suffix(".mo")
                if not force and mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                    continue
                # Fuzzy entries are left out, as msgfmt does: a guess is not a translation.
                polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
                compiled += 1
        self.stdout.write(f"{compiled} catalog(s) compiled.")
