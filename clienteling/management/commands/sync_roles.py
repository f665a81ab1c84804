from django.core.management.base import BaseCommand

from clienteling import services
from clienteling.models import StaffProfile
from clienteling.roles import sync_built_in_roles


class Command(BaseCommand):
    help = "Bring the built-in roles up to the code's table and re-apply every staff member's access."

    def handle(self, *args, **options):
        sync_built_in_roles()
        profiles = StaffProfile.objects.select_related("user").prefetch_related("stores")
        for profile in profiles:
            services.staff_sync_access(profile=profile)
        self.stdout.write(self.style.SUCCESS(f"Roles synced; {len(profiles)} staff updated."))
