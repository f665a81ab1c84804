"""The admin's list pages by name and keyboard: list-editable checkboxes are named after their
column and row; profile sections move up and down without dragging."""

import re

import pytest
from django.urls import reverse

from clienteling import services
from clienteling.models import ProfileSection
from tests.factories import AttributeFactory

pytestmark = pytest.mark.django_db


def kinds() -> list[str]:
    return list(ProfileSection.objects.order_by("position", "id").values_list("kind", flat=True))


def test_list_editable_checkboxes_have_names(client, company_admin):
    AttributeFactory(name="Shoe size", enabled_as_filter=True)
    client.force_login(company_admin)
    body = client.get(reverse("admin:clienteling_customerattribute_changelist")).content.decode()
    assert 'aria-label="Enabled as a filter in customer listing: Shoe size"' in body
    unnamed = [tag for tag in re.findall(r'<input type="checkbox" name="form-\d+-[^>]*>', body)
               if "aria-label=" not in tag]
    assert unnamed == []
    sections = client.get(reverse("admin:clienteling_profilesection_changelist")).content.decode()
    first = ProfileSection.objects.order_by("position", "id").first()
    assert f'aria-label="Enabled: {first}"' in sections


def test_sections_move_up_and_down_keeping_their_order():
    start = kinds()
    second, third = ProfileSection.objects.filter(kind__in=start[1:3])
    assert services.profile_sections_move(section_ids=[second.pk, third.pk], step=-1) == 2
    assert kinds() == [start[1], start[2], start[0], *start[3:]]
    assert services.profile_sections_move(section_ids=[second.pk, third.pk], step=-1) == 0  # at the top
    last = ProfileSection.objects.get(kind=start[-1])
    assert services.profile_sections_move(section_ids=[last.pk], step=1) == 0
    assert services.profile_sections_move(section_ids=[last.pk], step=-1) == 1
    assert kinds()[-2:] == [start[-1], start[-2]]
    assert list(ProfileSection.objects.order_by("position").values_list("position", flat=True)) == list(
        range(1, len(start) + 1))
    with pytest.raises(ValueError):
        services.profile_sections_move(section_ids=[last.pk], step=2)


def test_the_admin_moves_selected_sections_with_an_action(client, company_admin):
    start = kinds()
    client.force_login(company_admin)
    url = reverse("admin:clienteling_profilesection_changelist")
    page = client.get(url).content.decode()
    assert '<option value="move_up">Move selected up one place</option>' in page
    assert '<option value="move_down">Move selected down one place</option>' in page
    first = ProfileSection.objects.get(kind=start[0])
    response = client.post(url, {"action": "move_down", "_selected_action": [first.pk]}, follow=True)
    assert response.status_code == 200 and "Moved 1." in response.content.decode()
    assert kinds()[:2] == [start[1], start[0]]
