"""Autostart files for `sheetclerk watch` (sync/service.py), each read back the way its system reads it."""

from __future__ import annotations

import configparser
import plistlib
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from sync.errors import CannotRun
from sync.service import (
    LAUNCHD_LABEL,
    SYSTEMD_UNIT_NAME,
    TASK_NAMESPACE,
    ServiceError,
    ServiceFileExists,
    current_platform,
    default_service_dir,
    install,
    render_launchd_plist,
    render_systemd_unit,
    render_windows_task,
    watch_command,
)

EXE = "/home/lena meyer/.venvs/sheet clerk/bin/sheetclerk"
WORKBOOKS = [
    "/srv/Order Desk/orders 2026.xlsx",
    "/srv/odd/it's \"quoted\" 100% $HOME \\ back;slash.xlsx",
    "/srv/plain/orders.xlsx",
]
ARGV = watch_command(EXE, WORKBOOKS)
WORKDIR = "/srv/Order Desk"
LOG = "/home/lena meyer/.local/state/sheetclerk/watch 100%.log"

WIN_EXE = r"C:\Program Files\sheetclerk\Scripts\sheetclerk.exe"
WIN_ARGV = watch_command(WIN_EXE, [
    r"\\fileserver\Order Desk\orders.xlsx",
    "C:\\Users\\Lena Meyer\\Documents\\",  # a trailing backslash before the closing quote
    r'say "hi" \" ok',
    "plain.xlsx",
    "",
])
WIN_WORKDIR = r"C:\Users\Lena Meyer\Documents"


# --------------------------------------------------------------------------- readers, written from each system's rules


def systemd_split(line: str) -> list[str]:
    """Split a systemd command line: whitespace, "..." and '...' quoting, C escapes, then %% and $$."""
    escapes = {"n": "\n", "t": "\t", "\\": "\\", '"': '"', "'": "'", "s": " "}
    words, i, n = [], 0, len(line)
    while True:
        while i < n and line[i] in " \t":
            i += 1
        if i >= n:
            break
        word: list[str] = []
        quote = None
        while i < n:
            c = line[i]
            if c == "\\":
                word.append(escapes[line[i + 1]])
                i += 2
            elif quote is None and c in " \t":
                break
            elif quote is None and c in "\"'":
                quote = c
                i += 1
            elif c == quote:
                quote = None
                i += 1
            else:
                word.append(c)
                i += 1
        assert quote is None, f"unterminated quote in {line!r}"
        words.append("".join(word))
    return [w.replace("%%", "%").replace("$$", "$") for w in words]


def unit_entries(text: str) -> dict[tuple[str, str], list[str]]:
    """Every (section, key) of a unit file with all its values (keys may repeat, e.g. Environment=)."""
    entries: dict[tuple[str, str], list[str]] = {}
    section = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = line.strip("[]")
            continue
        key, _, value = line.partition("=")
        entries.setdefault((section, key.strip()), []).append(value.strip())
    return entries


def ms_split(cmdline: str) -> list[str]:
    """Split arguments the way the Microsoft C runtime (CommandLineToArgvW) does."""
    args, i, n = [], 0, len(cmdline)
    while True:
        while i < n and cmdline[i] in " \t":
            i += 1
        if i >= n:
            break
        arg: list[str] = []
        in_quotes = False
        while i < n:
            c = cmdline[i]
            if c == "\\":
                j = i
                while j < n and cmdline[j] == "\\":
                    j += 1
                slashes = j - i
                if j < n and cmdline[j] == '"':
                    arg.append("\\" * (slashes // 2))
                    if slashes % 2:
                        arg.append('"')
                        j += 1
                else:
                    arg.append("\\" * slashes)
                i = j
            elif c == '"':
                if in_quotes and i + 1 < n and cmdline[i + 1] == '"':
                    arg.append('"')
                    i += 2
                else:
                    in_quotes = not in_quotes
                    i += 1
            elif c in " \t" and not in_quotes:
                break
            else:
                arg.append(c)
                i += 1
        args.append("".join(arg))
    return args


def task_tree(data: bytes) -> ET.Element:
    return ET.fromstring(data)


def t(path: str) -> str:
    """An ElementTree path in the task namespace: t('Settings/Priority')."""
    return "/".join(f"{{{TASK_NAMESPACE}}}{part}" for part in path.split("/"))


# --------------------------------------------------------------------------- systemd


def test_systemd_unit_runs_the_exact_command_line() -> None:
    text = render_systemd_unit(ARGV, WORKDIR, LOG)
    entries = unit_entries(text)
    (exec_start,) = entries[("Service", "ExecStart")]
    assert systemd_split(exec_start) == ARGV
    assert ARGV[0] == EXE and ARGV[1] == "watch"


def test_systemd_unit_is_a_well_formed_ini_file_with_the_restart_policy() -> None:
    text = render_systemd_unit(ARGV, WORKDIR, LOG)
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # systemd keys are case-sensitive
    parser.read_string(text)
    assert parser.sections() == ["Unit", "Service", "Install"]
    service = parser["Service"]
    assert service["Restart"] == "on-failure"
    assert service["RestartSec"] == "5"
    assert service["Type"] == "simple"
    assert parser["Install"]["WantedBy"] == "default.target"
    assert parser["Unit"]["Description"]


def test_systemd_unit_paths_escape_only_specifiers() -> None:
    entries = unit_entries(render_systemd_unit(ARGV, WORKDIR, LOG))
    assert entries[("Service", "WorkingDirectory")] == [WORKDIR]
    log = LOG.replace("%", "%%")
    assert entries[("Service", "StandardOutput")] == [f"append:{log}"]
    assert entries[("Service", "StandardError")] == [f"append:{log}"]


def test_systemd_unit_sets_the_environment() -> None:
    entries = unit_entries(render_systemd_unit(ARGV, WORKDIR, None, {"SHEETCLERK_CONFIG": "/etc/sheet clerk/$x.toml"}))
    assigned = [systemd_split(v) for v in entries[("Service", "Environment")]]
    assert all(len(words) == 1 for words in assigned)
    # Environment= does not expand $VAR, so a $ is written as it is.
    values = dict(w[0].replace("$$", "$").split("=", 1) for w in assigned)
    assert values["PYTHONUNBUFFERED"] == "1"
    assert "SHEETCLERK_CONFIG" in values
    (raw,) = [v for v in entries[("Service", "Environment")] if "SHEETCLERK_CONFIG" in v]
    assert raw == '"SHEETCLERK_CONFIG=/etc/sheet clerk/$x.toml"'
    assert ("Service", "StandardOutput") not in entries  # no log path: the journal


def test_systemd_unit_rejects_what_it_cannot_say() -> None:
    with pytest.raises(ValueError, match="absolute"):
        render_systemd_unit(["sheetclerk", "watch"], WORKDIR)
    with pytest.raises(ValueError, match="line break"):
        render_systemd_unit([EXE, "watch", "/srv/a\nb.xlsx"], WORKDIR)
    with pytest.raises(ValueError, match="absolute"):
        render_systemd_unit(ARGV, "relative/dir")


# --------------------------------------------------------------------------- launchd


def test_launchd_plist_round_trips_the_command_line_and_keep_alive() -> None:
    data = render_launchd_plist(ARGV, WORKDIR, LOG, {"SHEETCLERK_CONFIG": "/x y/sheetclerk.toml"})
    assert data.startswith(b"<?xml")
    plist = plistlib.loads(data)
    assert plist["Label"] == LAUNCHD_LABEL
    assert plist["ProgramArguments"] == ARGV
    assert plist["RunAtLoad"] is True
    assert plist["KeepAlive"] == {"SuccessfulExit": False}
    assert plist["StandardOutPath"] == LOG
    assert plist["StandardErrorPath"] == LOG
    assert plist["WorkingDirectory"] == WORKDIR
    assert plist["EnvironmentVariables"]["SHEETCLERK_CONFIG"] == "/x y/sheetclerk.toml"
    ET.fromstring(data)  # well-formed XML, with the escaping plistlib did


def test_launchd_plist_without_a_log_leaves_the_paths_out() -> None:
    plist = plistlib.loads(render_launchd_plist(ARGV, WORKDIR))
    assert "StandardOutPath" not in plist and "StandardErrorPath" not in plist


# --------------------------------------------------------------------------- Task Scheduler


def test_windows_task_is_utf16_task_xml() -> None:
    data = render_windows_task(WIN_ARGV, WIN_WORKDIR, user=r"KIEZBOHNE\lena")
    assert data[:2] in (b"\xff\xfe", b"\xfe\xff")  # a byte-order mark
    text = data.decode("utf-16")
    assert text.startswith('<?xml version="1.0" encoding="UTF-16"?>')
    root = task_tree(data)
    assert root.tag == f"{{{TASK_NAMESPACE}}}Task"
    assert root.find(t("Triggers/LogonTrigger/Enabled")).text == "true"
    assert root.find(t("Triggers/LogonTrigger/UserId")).text == r"KIEZBOHNE\lena"
    assert root.find(t("Principals/Principal/LogonType")).text == "InteractiveToken"


def test_windows_task_runs_the_exact_command_line() -> None:
    root = task_tree(render_windows_task(WIN_ARGV, WIN_WORKDIR))
    command = root.find(t("Actions/Exec/Command")).text
    arguments = root.find(t("Actions/Exec/Arguments")).text
    assert command == f'"{WIN_EXE}"'  # quoted: the path has a space
    assert ms_split(command) == [WIN_EXE]
    assert ms_split(arguments) == WIN_ARGV[1:]
    assert root.find(t("Actions/Exec/WorkingDirectory")).text == WIN_WORKDIR


def test_windows_task_restarts_and_never_times_out() -> None:
    root = task_tree(render_windows_task(WIN_ARGV, WIN_WORKDIR))
    assert root.find(t("Settings/RestartOnFailure/Interval")).text == "PT1M"
    assert root.find(t("Settings/RestartOnFailure/Count")).text == "999"
    assert root.find(t("Settings/ExecutionTimeLimit")).text == "PT0S"
    assert root.find(t("Settings/MultipleInstancesPolicy")).text == "IgnoreNew"
    assert root.find(t("Settings/DisallowStartIfOnBatteries")).text == "false"
    assert root.find(t("Triggers/LogonTrigger/Repetition/Interval")).text == "PT5M"


def test_windows_task_without_user_or_spaces() -> None:
    root = task_tree(render_windows_task([r"C:\sheetclerk\sheetclerk.exe", "watch"], r"C:\desk"))
    assert root.find(t("Actions/Exec/Command")).text == r"C:\sheetclerk\sheetclerk.exe"
    assert root.find(t("Actions/Exec/Arguments")).text == "watch"
    assert root.find(t("Triggers/LogonTrigger/UserId")) is None
    with pytest.raises(ValueError, match="absolute"):
        render_windows_task(["sheetclerk.exe", "watch"], r"C:\desk")


# --------------------------------------------------------------------------- install


def test_install_writes_the_unit_to_the_users_systemd_folder(tmp_path: Path) -> None:
    book = tmp_path / "Order Desk" / "orders.xlsx"
    text = install("linux", [book], executable=EXE, working_dir="/srv/Order Desk", log_path=LOG, home=tmp_path)
    unit = tmp_path / ".config" / "systemd" / "user" / SYSTEMD_UNIT_NAME
    assert unit.is_file()
    (exec_start,) = unit_entries(unit.read_text(encoding="utf-8"))[("Service", "ExecStart")]
    assert systemd_split(exec_start)[1:] == ["watch", str(book)]
    assert str(unit) in text
    assert "systemctl --user daemon-reload && systemctl --user enable --now sheetclerk.service" in text
    assert 'loginctl enable-linger "$USER"' in text


def test_install_leaves_an_identical_file_and_guards_a_different_one(tmp_path: Path) -> None:
    kwargs = dict(executable=EXE, working_dir="/srv", log_path=LOG, home=tmp_path)
    install("linux", ["/srv/a.xlsx"], **kwargs)
    unit = default_service_dir("linux", tmp_path) / SYSTEMD_UNIT_NAME
    first = unit.read_bytes()
    assert install("linux", ["/srv/a.xlsx"], **kwargs).startswith("Already up to date")
    with pytest.raises(ServiceFileExists, match="--force") as caught:
        install("linux", ["/srv/b.xlsx"], **kwargs)
    assert isinstance(caught.value, CannotRun)
    assert unit.read_bytes() == first
    assert install("linux", ["/srv/b.xlsx"], force=True, **kwargs).startswith("Wrote")
    assert b"/srv/b.xlsx" in unit.read_bytes()
    assert not [p for p in unit.parent.iterdir() if p.name != SYSTEMD_UNIT_NAME]  # no temp files left


def test_install_into_an_output_folder_says_where_to_copy_it(tmp_path: Path) -> None:
    out = tmp_path / "out dir"
    text = install("macos", ["/Users/lena/Order Desk/orders.xlsx"], executable="/usr/local/bin/sheetclerk",
                   working_dir="/Users/lena", log_path="/Users/lena/Library/Logs/sheetclerk/watch.log", output=out, home=tmp_path)
    plist = plistlib.loads((out / f"{LAUNCHD_LABEL}.plist").read_bytes())
    assert plist["ProgramArguments"] == ["/usr/local/bin/sheetclerk", "watch", "/Users/lena/Order Desk/orders.xlsx"]
    assert "'" + str(out / f"{LAUNCHD_LABEL}.plist") + "'" in text  # shell-quoted: the folder has a space
    assert f"launchctl bootstrap gui/$(id -u) ~/Library/LaunchAgents/{LAUNCHD_LABEL}.plist" in text
    assert "launchctl load -w" in text
    assert not (tmp_path / "Library").exists()


def test_install_a_windows_task(tmp_path: Path) -> None:
    text = install("windows", [r"C:\Users\Lena Meyer\orders.xlsx"], executable=WIN_EXE, working_dir=WIN_WORKDIR,
                   user=r"DESK\lena", output=tmp_path)
    root = task_tree((tmp_path / "sheetclerk-task.xml").read_bytes())
    assert ms_split(root.find(t("Actions/Exec/Arguments")).text) == ["watch", r"C:\Users\Lena Meyer\orders.xlsx"]
    assert f'schtasks /Create /TN sheetclerk /XML "{tmp_path / "sheetclerk-task.xml"}"' in text
    with pytest.raises(ServiceError, match="environment"):
        install("windows", [], executable=WIN_EXE, working_dir=WIN_WORKDIR, output=tmp_path, force=True,
                environment={"SHEETCLERK_CONFIG": "x"})
    with pytest.raises(ServiceError, match="log"):
        install("windows", [], executable=WIN_EXE, working_dir=WIN_WORKDIR, output=tmp_path, log_path=r"C:\x.log")


def test_install_for_another_system_needs_the_executable(tmp_path: Path) -> None:
    other = "windows" if current_platform() != "windows" else "linux"
    with pytest.raises(ServiceError, match="path of sheetclerk"):
        install(other, ["x.xlsx"], output=tmp_path)


def test_install_reports_bad_input_as_a_cannot_run_error(tmp_path: Path) -> None:
    with pytest.raises(ServiceError, match="line break"):
        install("linux", ["/srv/a\nb.xlsx"], executable=EXE, working_dir="/srv", log_path=LOG, home=tmp_path)
    with pytest.raises(ServiceError, match="platform"):
        install("beos", [], executable=EXE, home=tmp_path)


def test_platform_names() -> None:
    assert current_platform("darwin") == "macos"
    assert current_platform("win32") == "windows"
    assert current_platform("linux") == "linux"
    assert current_platform() in ("linux", "macos", "windows")
