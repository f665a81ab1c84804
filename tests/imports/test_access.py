"""Every imports URL (the admin's upload page and its jobs) against every kind of visitor.

Only Company Admins reach them; everyone else is sent to the admin's sign-in; a job that
does not exist is 404. Every URL name of the imports admin must have a row.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from clienteling.models import StaffProfile
from imports.services import import_job_create
from tests.factories import make_staff
from tests.imports.conftest import SAMPLES
from tests.test_access_matrix import URL_NAMES

pytestmark = pytest.mark.django_db

VISITORS = ("anonymous", "admin", "manager", "associate", "other_store", "other_entity")
LOGIN = "admin login"

# name -> (method, args(job), expected per visitor)
ROWS = {
    "admin:imports_importjob_changelist": ("get", lambda job: [], [LOGIN, 200, *[LOGIN] * 4]),
    "admin:imports_importjob_add": ("get", lambda job: [], [LOGIN, 200, *[LOGIN] * 4]),
    "admin:imports_importjob_change": ("get", lambda job: [job.pk], [LOGIN, 200, *[LOGIN] * 4]),
    "admin:imports_importjob_delete": ("get", lambda job: [job.pk], [LOGIN, 200, *[LOGIN] * 4]),
    "admin:imports_importjob_history": ("get", lambda job: [job.pk], [LOGIN, 200, *[LOGIN] * 4]),
    "admin:imports_importjob_start": ("post", lambda job: [job.pk], [LOGIN, 302, *[LOGIN] * 4]),
    "admin:imports_importjob_rejected": ("get", lambda job: [job.pk], [LOGIN, 200, *[LOGIN] * 4]),
}
MISSING = {
    "admin:imports_importjob_change",
    "admin:imports_importjob_start",
    "admin:imports_importjob_rejected",
}


def test_every_imports_url_has_a_row():
    names = {name for name in URL_NAMES if name.startswith("admin:imports_")}
    assert names == set(ROWS)


@pytest.fixture
def world(org, company_admin, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    name = "square_customers.csv"
    return import_job_create(
        kind="customers",
        legal_entity=org["entity"],
        created_by=company_admin,
        upload=SimpleUploadedFile(name, (SAMPLES / name).read_bytes()),
    )


def outcome(response):
    if response.status_code == 302 and "/admin/login/" in response.url:
        return LOGIN
    return response.status_code


def test_access_matrix(
    client, org, world, company_admin, manager, associate_a, associate_b, django_capture_on_commit_callbacks
):
    other_store = make_staff(StaffProfile.Role.ASSOCIATE, org["store_a2"], username="associate.a2")
    visitors = dict(
        zip(VISITORS, (None, company_admin, manager, associate_a, other_store, associate_b), strict=True)
    )
    wrong = []
    for name, (method, args, expected) in ROWS.items():
        url = reverse(name, args=args(world))
        for visitor, want in zip(VISITORS, expected, strict=True):
            client.logout()
            if visitors[visitor] is not None:
                client.force_login(visitors[visitor])
            with django_capture_on_commit_callbacks(execute=False):
                found = outcome(getattr(client, method)(url))
            if found != want:
                wrong.append(f"{method.upper()} {url} as {visitor}: {found}, expected {want}")
    client.force_login(company_admin)
    for name in MISSING:
        method = ROWS[name][0]
        response = getattr(client, method)(reverse(name, args=[world.pk + 1000]))
        if response.status_code != 404:
            wrong.append(f"{name} of a missing job: {response.status_code}")
    assert wrong == []
