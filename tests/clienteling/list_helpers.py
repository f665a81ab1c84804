"""Helpers the customer list tests share."""

from datetime import datetime
from zoneinfo import ZoneInfo

LIST = "clienteling:customer_list"
NOON_UTC = datetime(2026, 12, 28, 17, tzinfo=ZoneInfo("UTC"))  # 12:00 in New York


def names(response) -> set[str]:
    return {row["customer"].first_name for row in response.context["result"].rows}
