from django.urls import include, path

from .views import books, customers, lists, purchases, self_service, tag_upload

app_name = "clienteling"

urlpatterns = [
    path("", customers.today, name="today"),
    path("customers/", lists.customer_list, name="customer_list"),
    path("customers/count/", lists.customer_count, name="customer_count"),
    path("customers/skus/", purchases.sku_options, name="sku_options"),
    path("customers/columns/", lists.grid_columns, name="grid_columns"),
    path("customers/export.csv", lists.customer_export, name="customer_export"),
    path("customers/lists/new/", lists.saved_list_create, name="saved_list_create"),
    path("customers/lists/<int:list_id>/update/", lists.saved_list_update,
         name="saved_list_update"),
    path("customers/lists/<int:list_id>/delete/", lists.saved_list_delete,
         name="saved_list_delete"),
    path("customers/templates/", lists.list_templates, name="list_templates"),
    path("customers/templates/<int:template_id>/copy/", lists.list_template_copy,
         name="list_template_copy"),
    path("customers/templates/manage/", lists.list_template_manage, name="list_template_manage"),
    path("customers/templates/new/", lists.list_template_create, name="list_template_create"),
    path("customers/templates/<int:template_id>/edit/", lists.list_template_edit,
         name="list_template_edit"),
    path("customers/templates/<int:template_id>/status/", lists.list_template_status,
         name="list_template_status"),
    path("customers/filters/<slug:key>/", lists.filter_group, name="filter_group"),
    path("customers/bulk/<slug:action_key>/", lists.bulk_action_form, name="bulk_action_form"),
    path("customers/bulk/<slug:action_key>/start/", lists.bulk_action_start,
         name="bulk_action_start"),
    path("customers/bulk-jobs/<int:job_id>/", lists.bulk_job_status, name="bulk_job_status"),
    path("book/", books.my_client_book, name="my_client_book"),
    path("book/remove/", books.client_book_remove, name="client_book_remove"),
    path("book/store/", books.store_client_book, name="store_client_book"),
    path("book/store/reassign/", books.client_book_reassign, name="client_book_reassign"),
    path("customers/tag-upload/", tag_upload.tag_upload, name="tag_upload"),
    path("customers/tag-upload/<int:upload_id>/", tag_upload.tag_upload_status, name="tag_upload_status"),
    path("customers/tag-upload/<int:upload_id>/unmatched.csv", tag_upload.tag_upload_unmatched,
         name="tag_upload_unmatched"),
    path("customers/<int:customer_id>/", customers.customer_detail, name="customer_detail"),
    path("customers/<int:customer_id>/my-details-link/", self_service.my_details_link,
         name="my_details_link"),
    # Profile editing (notes, follow-ups, activities, contact, attributes, tags).
    path("customers/<int:customer_id>/", include("clienteling.urls_profile")),
]
