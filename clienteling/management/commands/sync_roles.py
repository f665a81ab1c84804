from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand

from clienteling import services
from clienteling.models import StaffProfile
from clienteling.roles import sync_role_groups


class Command(BaseCommand):
    help = "Give each role group exactly its permissions and re-apply every staff member's access."

    def handle(self, *args, **options):
        sync_role_groups(Group, Permission)
        profiles = StaffProfile.objects.select_related("user").prefetch_related("stores")
        for profile in profiles:
            services.staff_sync_access(profile=profile)
        self.stdout.write(self.style.SUCCESS(f"Roles synced; {len(profiles)} staff updated."))
