from pathlib import Path

import pytest

from clienteling import services
from clienteling.models import AttributeOption, CustomerAttribute
from tests.factories import AttributeFactory

SAMPLES = Path(__file__).parent / "samples"


@pytest.fixture
def sample():
    def open_sample(name: str):
        return (SAMPLES / name).open("rb")

    return open_sample


@pytest.fixture
def shoe_size(db):
    return AttributeFactory(name="Shoe size", slug="shoe_size", data_type=CustomerAttribute.DataType.NUMBER)


@pytest.fixture
def nyc_location(org):
    return services.store_ensure_stock_location(store=org["store_a"])


__all__ = ["AttributeOption", "SAMPLES"]
