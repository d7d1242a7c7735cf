"""Build `addin/sheetclerk.xlam` from text sources, the same bytes every time.

    addin/excel/customUI.xml        the sheetclerk ribbon tab
    addin/excel/SheetclerkRibbon.bas one VBA procedure per button, each `RunPython` of `addin.ribbon`
    xlwings' own VBA (installed)     `RunPython`, the UDF import, the config lookup; its
                                     PROJECT_NAME set to "sheetclerk", so the add-in reads
                                     `sheetclerk.conf` (see README "Excel add-in")

The package around them is xlwings' ribbon add-in template (what
`xlwings quickstart NAME --addin --ribbon` copies), with its config sheet
renamed and its developer path removed. The VBA project (`vbaProject.bin`) is
written from the module sources with `ms-ovba`; Excel compiles the source when
it opens the add-in. Taking xlwings' VBA from the installed xlwings keeps the
add-in's DLL calls matched to the xlwings the office has installed: rebuild
(`sheetclerk addin build`) after upgrading xlwings.

Reproducible: fixed zip times and order, a fixed project id, and the one random
choice ms-ovba makes (the obfuscation seed of the PROJECT stream) made from a
fixed seed.
"""

from __future__ import annotations

import io
import os
import random
import re
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCES = HERE / "excel"
OUTPUT = HERE / "sheetclerk.xlam"
PROJECT_NAME = "sheetclerk"
PROJECT_ID = "{6B1F7E3A-2C4D-4E5F-8A9B-0C1D2E3F4A5B}"
CODEPAGE = "cp1252"
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
CONFIG_SHEET = f"_{PROJECT_NAME}.conf"
"""The template's config sheet; the leading underscore keeps it switched off (settings come from sheetclerk.conf)."""

_WORKBOOK_BASE = "{00020819-0000-0000-C000-000000000046}"
_SHEET_BASE = "{00020820-0000-0000-C000-000000000046}"


@dataclass(frozen=True)
class Module:
    name: str
    kind: str
    """"module" (standard), "class", or "document" (ThisWorkbook, a sheet)."""
    source: str


def _xlwings_dir() -> Path:
    import xlwings

    return Path(xlwings.__file__).resolve().parent


def _lines(text: str) -> list[str]:
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _document(name: str, base: str) -> Module:
    attrs = [
        f'Attribute VB_Name = "{name}"',
        f'Attribute VB_Base = "0{base}"',
        "Attribute VB_GlobalNameSpace = False",
        "Attribute VB_Creatable = False",
        "Attribute VB_PredeclaredId = True",
        "Attribute VB_Exposed = True",
        "Attribute VB_TemplateDerived = False",
        "Attribute VB_Customizable = True",
    ]
    return Module(name, "document", "\n".join(attrs) + "\n")


def _class_source(cls_text: str) -> str:
    """A `.cls` export as VBA stores it: without the VERSION/BEGIN...END header."""
    lines = _lines(cls_text)
    end = next(i for i, line in enumerate(lines) if line.strip() == "END")
    return "\n".join(lines[end + 1 :]).strip("\n") + "\n"


def modules() -> list[Module]:
    """The add-in's VBA modules, in project order."""
    xlwings_dir = _xlwings_dir()
    xlwings_bas = (xlwings_dir / "xlwings_custom_addin.bas").read_text(encoding=CODEPAGE)
    xlwings_bas, n = re.subn(
        r'Public Const PROJECT_NAME As String = "[^"]*"', f'Public Const PROJECT_NAME As String = "{PROJECT_NAME}"', xlwings_bas
    )
    if n != 1:
        raise RuntimeError("xlwings' add-in VBA has no PROJECT_NAME constant: this xlwings is not supported")
    return [
        _document("ThisWorkbook", _WORKBOOK_BASE),
        _document("Sheet2", _SHEET_BASE),  # the template's config sheet (codeName Sheet2)
        Module("xlwings", "module", xlwings_bas),
        Module("Dictionary", "class", _class_source((xlwings_dir / "addin" / "Dictionary.cls").read_text(encoding=CODEPAGE))),
        Module("SheetclerkRibbon", "module", (SOURCES / "SheetclerkRibbon.bas").read_text(encoding=CODEPAGE)),
    ]


@contextmanager
def _in_folder(folder: Path) -> Iterator[None]:
    """ms-ovba writes its intermediate files into the current folder."""
    before = os.getcwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(before)


@contextmanager
def _fixed_random(seed: int) -> Iterator[None]:
    state = random.getstate()
    random.seed(seed)
    try:
        yield
    finally:
        random.setstate(state)


def vba_project(mods: list[Module]) -> bytes:
    """`vbaProject.bin` holding these modules' source (no compiled code: Excel compiles it on load)."""
    import uuid

    from ms_cfb.Models.Directories.root_directory import RootDirectory
    from ms_cfb.Models.Directories.storage_directory import StorageDirectory
    from ms_cfb.Models.Directories.stream_directory import StreamDirectory
    from ms_cfb.ole_file import OleFile
    from ms_ovba.Models.Entities.doc_module import DocModule
    from ms_ovba.Models.Entities.reference import Reference
    from ms_ovba.Models.Entities.reference_registered import ReferenceRegistered
    from ms_ovba.Models.Entities.std_module import StdModule
    from ms_ovba.Models.Fields.libid_reference import LibidReference
    from ms_ovba.vbaProject import VbaProject
    from ms_ovba.Views.dirStream import DirStream
    from ms_ovba.Views.project import Project
    from ms_ovba.Views.project_view import ProjectView

    from addin.ovba_compression import compress

    class ClassModule(DocModule):
        """A class module: stored like a document module, listed as `Class=` in the PROJECT stream."""

        def to_project_module_string(self) -> str:
            return "Class=" + self.modName.value

    kinds = {"document": DocModule, "class": ClassModule, "module": StdModule}
    with tempfile.TemporaryDirectory(prefix="sheetclerk-vba-") as tmp, _in_folder(Path(tmp)), _fixed_random(0x5C):
        project = VbaProject()
        project.project_id = PROJECT_ID
        for m in mods:
            module = kinds[m.kind](m.name)
            source = "\r\n".join(_lines(m.source)).encode(CODEPAGE)
            Path(f"{m.name}.bin").write_bytes(module.cache + compress(source))
            project.add_module(module)
        stdole = LibidReference(
            uuid.UUID("00020430-0000-0000-C000-000000000046"), "2.0", "0", "C:\\Windows\\System32\\stdole2.tlb", "OLE Automation"
        )
        office = LibidReference(
            uuid.UUID("2DF8D04C-5BFA-101B-BDE5-00AA0044DE52"),
            "2.0",
            "0",
            "C:\\Program Files\\Common Files\\Microsoft Shared\\OFFICE16\\MSO.DLL",
            "Microsoft Office 16.0 Object Library",
        )
        project.add_reference(Reference(ReferenceRegistered(stdole), "stdole"))
        project.add_reference(Reference(ReferenceRegistered(office), "Office"))  # IRibbonControl
        # The OLE layout of ms-ovba's ProjectOleFile, with streams compressed by addin.ovba_compression.
        Path("dir.bin").write_bytes(compress(DirStream(project).to_bytes()))
        ProjectView(project).write_file()
        Project(project).write_file()
        root = RootDirectory()
        root.set_modified(project.default_date)
        storage = StorageDirectory("VBA")
        storage.set_created(project.default_date)
        storage.set_modified(project.default_date)
        for m in mods:
            storage.add_directory(StreamDirectory(m.name, f"{m.name}.bin"))
        storage.add_directory(StreamDirectory("dir", "dir.bin"))
        storage.add_directory(StreamDirectory("_VBA_PROJECT", "vba_project.bin"))
        root.add_directory(storage)
        root.add_directory(StreamDirectory("PROJECT", "project.bin"))
        ole = OleFile()
        ole.root_directory = root
        ole.create_file("vbaProject.bin")
        return Path("vbaProject.bin").read_bytes()


def _workbook_xml(xml: bytes) -> bytes:
    text = xml.decode("utf-8")
    text = re.sub(r'<mc:AlternateContent\b.*?</mc:AlternateContent>', "", text, flags=re.S)  # the developer's path
    text = re.sub(r'<sheet name="[^"]*"', f'<sheet name="{CONFIG_SHEET}"', text, count=1)
    return text.encode("utf-8")


def _core_xml(xml: bytes) -> bytes:
    text = xml.decode("utf-8")
    text = re.sub(r"<dc:creator>[^<]*</dc:creator>", "<dc:creator>sheetclerk</dc:creator>", text)
    text = re.sub(r"<cp:lastModifiedBy>[^<]*</cp:lastModifiedBy>", "<cp:lastModifiedBy>sheetclerk</cp:lastModifiedBy>", text)
    text = re.sub(r"(<dcterms:(?:created|modified)[^>]*>)[^<]*", r"\g<1>2026-01-01T00:00:00Z", text)
    return text.encode("utf-8")


def xlam_bytes() -> bytes:
    """The whole add-in package."""
    template = _xlwings_dir() / "quickstart_addin_ribbon.xlam"
    replaced = {
        "customUI/customUI.xml": (SOURCES / "customUI.xml").read_bytes(),
        "xl/vbaProject.bin": vba_project(modules()),
    }
    edits = {"xl/workbook.xml": _workbook_xml, "docProps/core.xml": _core_xml}
    out = io.BytesIO()
    with zipfile.ZipFile(template) as src, zipfile.ZipFile(out, "w") as dst:
        names = sorted(src.namelist(), key=lambda n: (n != "[Content_Types].xml", n))
        for name in names:
            data = replaced.get(name, src.read(name))
            if name in edits:
                data = edits[name](data)
            info = zipfile.ZipInfo(name, ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            dst.writestr(info, data, compresslevel=9)
    return out.getvalue()


def build(output: Path | str = OUTPUT) -> Path:
    """Write the add-in (atomically) and return its path."""
    output = Path(output)
    data = xlam_bytes()
    temp = output.with_name(f".{output.name}.tmp")
    temp.write_bytes(data)
    os.replace(temp, output)
    return output


if __name__ == "__main__":
    print(build())
