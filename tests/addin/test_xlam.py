"""The built add-in: a valid package, the same bytes every build, and every ribbon button
wired through VBA (read back out with oletools' olevba) to a Python entry point that imports."""

from __future__ import annotations

import importlib
import os
import re
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from oletools.olevba import VBA_Parser, decompress_stream

from addin import build, ribbon
from addin.ovba_compression import compress

CUSTOM_UI_NS = "{http://schemas.microsoft.com/office/2006/01/customui}"
_RUN_PYTHON = re.compile(r'RunPython\s+"import\s+([\w.]+);\s*([\w.]+)\(\)"')


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build.build(tmp_path_factory.mktemp("xlam") / "sheetclerk.xlam")


def vba_modules(path: Path) -> dict[str, str]:
    parser = VBA_Parser(str(path))
    try:
        return {filename: code for _, _, filename, code in parser.extract_macros()}
    finally:
        parser.close()


def procedures(code: str) -> set[str]:
    return set(re.findall(r"^\s*(?:Public\s+|Private\s+)?(?:Sub|Function)\s+(\w+)\s*\(", code, re.M | re.I))


def test_two_builds_are_byte_identical(built: Path, tmp_path: Path):
    assert build.build(tmp_path / "again.xlam").read_bytes() == built.read_bytes()


def test_the_package_is_an_add_in_with_the_ribbon(built: Path):
    with zipfile.ZipFile(built) as z:
        assert z.testzip() is None
        types = z.read("[Content_Types].xml").decode()
        assert "application/vnd.ms-excel.addin.macroEnabled.main+xml" in types
        rels = z.read("_rels/.rels").decode()
        assert 'Target="customUI/customUI.xml"' in rels and "ui/extensibility" in rels
        ui = etree.fromstring(z.read("customUI/customUI.xml"))
        workbook = z.read("xl/workbook.xml").decode()
    tabs = ui.findall(f".//{CUSTOM_UI_NS}tab")
    assert [t.get("label") for t in tabs] == ["sheetclerk"]
    labels = [b.get("label") for b in ui.iter(f"{CUSTOM_UI_NS}button")]
    assert labels == ["Check workbook", "Invoice", "Ship", "Sync now", "Reconcile", "Review sheet", "Documents", "Import functions"]
    assert build.CONFIG_SHEET in workbook and "absPath" not in workbook


def test_every_on_action_names_a_vba_procedure_in_the_built_add_in(built: Path):
    modules = vba_modules(built)
    with zipfile.ZipFile(built) as z:
        ui = etree.fromstring(z.read("customUI/customUI.xml"))
    actions = [b.get("onAction") for b in ui.iter(f"{CUSTOM_UI_NS}button")]
    assert len(actions) == 8
    for action in actions:
        module, _, procedure = action.rpartition(".")
        assert f"{module}.bas" in modules, action
        assert procedure in procedures(modules[f"{module}.bas"]), action
        assert re.search(rf"Sub {procedure}\(control As IRibbonControl\)", modules[f"{module}.bas"])
    assert "Sub ImportPythonUDFsToAddin(" in modules["xlwings.bas"]  # what Import functions calls


def test_every_python_target_in_the_vba_imports_and_is_callable(built: Path):
    code = "\n".join(vba_modules(built).values())
    statements = "\n".join(line for line in code.splitlines() if not line.lstrip().startswith("'"))
    targets = _RUN_PYTHON.findall(statements)
    assert len(targets) == 7
    for module_name, call in targets:
        assert call.startswith(module_name + ".")
        target = importlib.import_module(module_name)
        for part in call[len(module_name) + 1 :].split("."):
            target = getattr(target, part)
        assert callable(target) and target in ribbon.ENTRY_POINTS, call
    assert {c.split(".")[-1] for _, c in targets} == {f.__name__ for f in ribbon.ENTRY_POINTS}


def test_the_vba_is_the_source_text_with_xlwings_set_up_for_sheetclerk(built: Path):
    modules = vba_modules(built)
    assert set(modules) == {"ThisWorkbook.cls", "Sheet2.cls", "xlwings.bas", "Dictionary.cls", "SheetclerkRibbon.bas"}
    source = (build.SOURCES / "SheetclerkRibbon.bas").read_text()
    assert _without_name(modules["SheetclerkRibbon.bas"]) == _without_name(source)
    assert 'Public Const PROJECT_NAME As String = "sheetclerk"' in modules["xlwings.bas"]
    assert "Function RunPython(" in modules["xlwings.bas"]


def _without_name(source: str) -> str:
    """Module text to compare: line ends unified, the VB_Name attribute (which olevba may leave out) dropped."""
    lines = source.replace("\r\n", "\n").split("\n")
    return "\n".join(line for line in lines if not line.startswith("Attribute VB_Name")).strip()


def test_the_committed_add_in_matches_its_sources():
    committed = build.OUTPUT
    assert committed.is_file(), "run `sheetclerk addin build` and commit addin/sheetclerk.xlam"
    modules = vba_modules(committed)
    source = (build.SOURCES / "SheetclerkRibbon.bas").read_text()
    assert _without_name(modules["SheetclerkRibbon.bas"]) == _without_name(source)
    with zipfile.ZipFile(committed) as z:
        assert z.read("customUI/customUI.xml") == (build.SOURCES / "customUI.xml").read_bytes()


@pytest.mark.parametrize("size", [0, 1, 3, 580, 4095, 4096, 4097, 12_345, 50_000])
def test_compression_round_trips_through_oletools(size: int):
    text = b"".join(f"    RunPython \"import a{i % 97}; a.f()\" ' line {i}\r\n".encode() for i in range(size // 20 + 1))[:size]
    assert bytes(decompress_stream(bytearray(compress(text)))) == text
    noise = os.urandom(size // 4096 * 4096)  # whole chunks that do not compress are stored raw
    assert bytes(decompress_stream(bytearray(compress(noise)))) == noise
