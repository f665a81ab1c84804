"""carts writes other apps' rows only through their services (house style: services own writes)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WRITES = {"create", "update", "delete", "bulk_create", "bulk_update", "get_or_create", "update_or_create"}
FOREIGN = ("conversations.models", "clienteling.models", "catalog.models")


def _writes_to_foreign_models(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    foreign = {alias.asname or alias.name for node in ast.walk(tree)
               if isinstance(node, ast.ImportFrom) and node.module in FOREIGN for alias in node.names}
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in WRITES):
            continue
        # Walk down the chain: Model.objects.filter(...).update(...) -> Model
        target = node.func.value
        while isinstance(target, ast.Call | ast.Attribute):
            target = target.func if isinstance(target, ast.Call) else target.value
        if isinstance(target, ast.Name) and target.id in foreign:
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} {target.id}.….{node.func.attr}()")
    return found


@pytest.mark.parametrize("path", sorted(p for p in (ROOT / "carts").rglob("*.py")
                                        if "migrations" not in p.parts and "management" not in p.parts),
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_carts_calls_other_apps_services_to_write_their_rows(path):
    assert _writes_to_foreign_models(path) == []
