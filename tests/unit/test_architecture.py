"""Convention 1: app/ is pure Python — it never imports PySide6 or ui."""

from __future__ import annotations

import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app"
FORBIDDEN = ("PySide6", "ui", "shiboken6")


def _imports(tree: ast.AST) -> list[str]:
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and getattr(node.func, "attr", getattr(node.func, "id", "")) in (
                "import_module", "__import__")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            names.append(node.args[0].value)
    return names


def test_app_package_never_imports_qt_or_ui() -> None:
    offenders = []
    files = sorted(APP.rglob("*.py"))
    assert len(files) > 10
    for path in files:
        for name in _imports(ast.parse(path.read_text(), str(path))):
            if name.split(".")[0] in FORBIDDEN:
                offenders.append(f"{path.relative_to(APP.parent)} imports {name}")
    assert offenders == []


def test_the_checker_catches_a_qt_import() -> None:
    tree = ast.parse("from PySide6.QtWidgets import QWidget\nimport importlib\n"
                     "importlib.import_module('ui.main')\n")
    assert [n for n in _imports(tree) if n.split(".")[0] in FORBIDDEN] == [
        "PySide6.QtWidgets", "ui.main"]
