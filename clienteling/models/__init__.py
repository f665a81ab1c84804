from .activity import Activity, ActivityType, Note, Task
from .attributes import AttributeGroup, AttributeOption, CustomerAttribute, CustomerAttributeValue
from .audit import AuditAction, AuditEvent
from .client_book import ClientBook, ClientBookEntry
from .configuration import (
    BulkJob,
    CustomerCardProperty,
    ExternalMeasuresSettings,
    GridPreference,
    ListMeasure,
    ListTemplate,
    ModuleSettings,
    NumberSequence,
    ProfileSection,
    ProfileSectionAttribute,
    SavedCustomerList,
)
from .customer import (
    Channel,
    ConsentChange,
    ConsentState,
    Customer,
    CustomerConsent,
    CustomerContactHistory,
    CustomerMailingList,
    CustomerMeasures,
    CustomerTag,
    ExternalMeasure,
    MailingList,
    MeasuresModel,
    SalesChannel,
    Segment,
    Tag,
    month_day_key,
)
from .org import LegalEntity, Shift, StaffProfile, StaffRole, Store, StoreGroup
from .push import PushSubscription
from .sales import Sale, SaleLine, WishlistItem
from .self_service import SelfServiceLink, TagUpload, new_self_service_token, token_digest

__all__ = [
    "AuditAction", "AuditEvent",
    "Activity", "ActivityType", "AttributeGroup", "AttributeOption", "BulkJob", "Channel",
    "ClientBook", "ClientBookEntry", "ConsentChange", "ConsentState", "Customer", "CustomerAttribute",
    "CustomerAttributeValue", "CustomerCardProperty", "CustomerConsent", "CustomerContactHistory",
    "CustomerMailingList", "CustomerMeasures", "CustomerTag", "GridPreference", "LegalEntity",
    "ListMeasure", "ListTemplate", "MailingList", "ModuleSettings", "Note", "NumberSequence",
    "ProfileSection", "ProfileSectionAttribute", "Sale", "SaleLine", "SalesChannel",
    "SavedCustomerList", "Shift",
    "StaffProfile", "StaffRole", "Store", "StoreGroup", "Tag", "Task", "WishlistItem", "month_day_key",
    "ExternalMeasure", "ExternalMeasuresSettings", "MeasuresModel", "Segment",
    "SelfServiceLink", "TagUpload", "new_self_service_token", "token_digest", "PushSubscription",
]
