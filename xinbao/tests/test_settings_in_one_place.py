"""Settings are read in settings.py only, and the demo city stays in xinbao/demo (STYLE 16)."""

from __future__ import annotations

import ast
from pathlib import Path

from xinbao.demo import data as demo

XINBAO = Path(__file__).resolve().parent.parent


def _sources(*suffixes: str) -> list[Path]:
    """The project's own files, without the demo app and the tests (which may name anything)."""
    return sorted(
        path
        for suffix in suffixes
        for path in XINBAO.rglob(f"*{suffix}")
        if "tests" not in path.parts and "demo" not in path.relative_to(XINBAO).parts[:1]
    )


def _is_os_environ(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "environ"
        and isinstance(node.value, ast.Name)
        and node.value.id == "os"
    )


def _environment_reads(path: Path) -> list[str]:
    """``os.getenv(...)``, ``os.environ.get(...)`` and ``os.environ[...]`` in ``path``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        read = (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and (
                (node.func.attr == "get" and _is_os_environ(node.func.value))
                or (
                    node.func.attr == "getenv"
                    and isinstance(node.func.value, ast.Name)
                    and node.func.value.id == "os"
                )
            )
        ) or (
            isinstance(node, ast.Subscript)
            and isinstance(node.ctx, ast.Load)
            and _is_os_environ(node.value)
        )
        if read:
            found.append(f"{path.relative_to(XINBAO.parent)}:{getattr(node, 'lineno', 0)}")
    return found


def test_it_reads_the_environment_in_settings_only() -> None:
    reads = [
        where
        for path in _sources(".py")
        if path != XINBAO / "settings.py"
        for where in _environment_reads(path)
    ]
    assert reads == []


def test_it_finds_the_reads_it_looks_for() -> None:
    # The check above would pass on a blind walker: settings.py shows it can see.
    assert len(_environment_reads(XINBAO / "settings.py")) > 20


def test_it_keeps_the_demo_city_in_the_demo_app() -> None:
    names = {demo.CITY, demo.CITY.removesuffix("市"), demo.EMAIL_DOMAIN}
    names |= {unit.short_name for unit in demo.COUNTIES}
    found = [
        f"{path.relative_to(XINBAO.parent)}: {name}"
        for path in _sources(".py", ".html", ".txt", ".md")
        for name in names
        if name in path.read_text()
    ]
    assert found == []


def test_it_documents_every_variable_settings_reads_in_the_env_example() -> None:
    read = set()
    for node in ast.walk(ast.parse((XINBAO / "settings.py").read_text())):
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in {"get", "env_bool"} and str(node.args[0].value).isupper():
                read.add(str(node.args[0].value))
    example = (XINBAO.parent / ".env.example").read_text()
    assert len(read) > 30
    assert sorted(n for n in read if f"{n}=" not in example) == []
