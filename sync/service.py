"""Autostart files for the sync daemon (`sheetclerk watch`), one per operating system.

The renderers are pure: given the daemon's command line (absolute path of the
`sheetclerk` executable, then `watch PATH...`), a working directory and a log
file, they return the file's exact bytes or text:

- Linux: a systemd *user* unit, `~/.config/systemd/user/sheetclerk.service`;
- macOS: a launchd agent, `~/Library/LaunchAgents/org.sheetclerk.watch.plist`;
- Windows: a Task Scheduler task (UTF-16 XML) that `schtasks /Create /XML` imports.

Every argument is quoted for its format, so paths with spaces, quotes, `%` or
`$` arrive at the daemon unchanged. `install()` writes the right file for the
current user (or into an `output` folder), never replacing a different file
without `force`, and returns the steps that switch it on.
"""

from __future__ import annotations

import os
import plistlib
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Literal

from sync.errors import CannotRun

Platform = Literal["linux", "macos", "windows"]
PLATFORMS: tuple[Platform, ...] = ("linux", "macos", "windows")

SERVICE_NAME = "sheetclerk"
SYSTEMD_UNIT_NAME = "sheetclerk.service"
LAUNCHD_LABEL = "org.sheetclerk.watch"
TASK_NAME = "sheetclerk"
TASK_XML_NAME = "sheetclerk-task.xml"
TASK_NAMESPACE = "http://schemas.microsoft.com/windows/2004/02/mit/task"
DESCRIPTION = "sheetclerk: watch the order workbooks and sync them with the ledger"

#: Set for the daemon on Linux and macOS: log lines are written as they happen, in UTF-8.
DEFAULT_ENVIRONMENT: Mapping[str, str] = {"PYTHONUNBUFFERED": "1", "PYTHONUTF8": "1"}

RESTART_DELAY_SECONDS = 5


class ServiceError(CannotRun):
    """The service file cannot be made or written; the message says why and what to do."""


class ServiceFileExists(ServiceError):
    """A different service file is already installed and `force` was not given."""


@dataclass(frozen=True)
class ServiceFile:
    """A rendered autostart file: what to write, where it belongs, and how to switch it on."""

    platform: Platform
    filename: str
    content: bytes


# --------------------------------------------------------------------------- the command line


def watch_command(executable: str | os.PathLike[str], paths: Sequence[str | os.PathLike[str]]) -> list[str]:
    """The daemon's argv: `[executable, "watch", *paths]`."""
    return [os.fspath(executable), "watch", *(os.fspath(p) for p in paths)]


def _check_argv(argv: Sequence[str], *, absolute: Literal["posix", "windows"]) -> list[str]:
    args = [str(a) for a in argv]
    if not args:
        raise ValueError("the command line is empty")
    for a in args:
        if "\x00" in a or "\n" in a or "\r" in a:
            raise ValueError(f"a command-line argument holds a line break or NUL: {a!r}")
    exe = PurePosixPath(args[0]) if absolute == "posix" else PureWindowsPath(args[0])
    if not exe.is_absolute():
        raise ValueError(f"the executable must be an absolute path, not {args[0]!r}")
    return args


def _check_value(what: str, value: str) -> str:
    if "\x00" in value or "\n" in value or "\r" in value:
        raise ValueError(f"{what} holds a line break or NUL: {value!r}")
    return value


# --------------------------------------------------------------------------- systemd (Linux)

_SYSTEMD_PLAIN = re.compile(r"[A-Za-z0-9_@+=:,./-]+")


def systemd_quote(word: str, *, expand_dollar: bool = True) -> str:
    """One word for an ExecStart= (or, with `expand_dollar=False`, Environment=) line.

    systemd resolves `%` specifiers (so `%` is written `%%`), expands `$VAR` in
    ExecStart= (so `$` is written `$$`), splits on whitespace, honours double
    quotes and unescapes C-style backslash escapes.
    """
    text = word.replace("%", "%%")
    if expand_dollar:
        text = text.replace("$", "$$")
    if text and _SYSTEMD_PLAIN.fullmatch(text):
        return text
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t")
    return f'"{escaped}"'


def _systemd_path(what: str, path: str) -> str:
    """A path setting (WorkingDirectory=, append:): the whole value is the path; only `%` is special."""
    _check_value(what, path)
    if not PurePosixPath(path).is_absolute():
        raise ValueError(f"{what} must be an absolute path, not {path!r}")
    return path.replace("%", "%%")


def render_systemd_unit(
    argv: Sequence[str],
    working_dir: str,
    log_path: str | None = None,
    environment: Mapping[str, str] | None = None,
    *,
    description: str = DESCRIPTION,
) -> str:
    """A systemd user unit that runs `argv` at login (or at boot with lingering) and restarts it on failure."""
    args = _check_argv(argv, absolute="posix")
    env = {**DEFAULT_ENVIRONMENT, **(environment or {})}
    lines = [
        "# Written by `sheetclerk service install`.",
        "[Unit]",
        f"Description={_check_value('the description', description).replace('%', '%%')}",
        "",
        "[Service]",
        "Type=simple",
        "ExecStart=" + " ".join(systemd_quote(a) for a in args),
        f"WorkingDirectory={_systemd_path('the working directory', working_dir)}",
    ]
    for key, value in env.items():
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
            raise ValueError(f"not an environment variable name: {key!r}")
        lines.append("Environment=" + systemd_quote(f"{key}={_check_value(key, value)}", expand_dollar=False))
    if log_path:
        log = _systemd_path("the log path", log_path)
        lines += [f"StandardOutput=append:{log}", f"StandardError=append:{log}"]
    lines += [
        "Restart=on-failure",
        f"RestartSec={RESTART_DELAY_SECONDS}",
        "",
        "[Install]",
        "WantedBy=default.target",
        "",
    ]
    return "\n".join(lines)


def systemd_instructions(unit_path: str, log_path: str | None = None, *, installed: bool = True) -> str:
    q = shlex.quote
    steps = []
    if not installed:
        steps.append(f"mkdir -p ~/.config/systemd/user && cp {q(unit_path)} ~/.config/systemd/user/{SYSTEMD_UNIT_NAME}")
    steps += [
        f"systemctl --user daemon-reload && systemctl --user enable --now {SYSTEMD_UNIT_NAME}",
        'loginctl enable-linger "$USER"    # optional: start at boot, without logging in',
        f"systemctl --user status {SYSTEMD_UNIT_NAME}    # is it running?",
    ]
    if log_path:
        steps.append(f"tail -f {q(log_path)}    # what it is doing")
    head = f"The sheetclerk watcher as a systemd user service: {unit_path}"
    return "\n".join([head, "Switch it on with:", *(f"  {s}" for s in steps),
                      f"Switch it off: systemctl --user disable --now {SYSTEMD_UNIT_NAME}"])


# --------------------------------------------------------------------------- launchd (macOS)


def render_launchd_plist(
    argv: Sequence[str],
    working_dir: str,
    log_path: str | None = None,
    environment: Mapping[str, str] | None = None,
    *,
    label: str = LAUNCHD_LABEL,
) -> bytes:
    """A launchd agent: starts at login, restarted whenever it exits with an error."""
    args = _check_argv(argv, absolute="posix")
    plist: dict[str, object] = {
        "Label": label,
        "ProgramArguments": args,
        "WorkingDirectory": _check_value("the working directory", working_dir),
        "EnvironmentVariables": {**DEFAULT_ENVIRONMENT, **(environment or {})},
        "RunAtLoad": True,
        "KeepAlive": {"SuccessfulExit": False},
        "ThrottleInterval": RESTART_DELAY_SECONDS * 2,
        "ProcessType": "Background",
    }
    if log_path:
        plist["StandardOutPath"] = _check_value("the log path", log_path)
        plist["StandardErrorPath"] = log_path
    return plistlib.dumps(plist, fmt=plistlib.FMT_XML, sort_keys=False)


def launchd_instructions(plist_path: str, log_path: str | None = None, *, installed: bool = True) -> str:
    q = shlex.quote
    target = f"~/Library/LaunchAgents/{LAUNCHD_LABEL}.plist"
    steps = []
    if not installed:
        steps.append(f"mkdir -p ~/Library/LaunchAgents && cp {q(plist_path)} {target}")
        plist_path = target
    shown = plist_path if plist_path == target else q(plist_path)
    steps += [
        f"launchctl bootstrap gui/$(id -u) {shown}",
        f"(on macOS 10.x: launchctl load -w {shown})",
        f"launchctl print gui/$(id -u)/{LAUNCHD_LABEL}    # is it running?",
    ]
    if log_path:
        steps.append(f"tail -f {q(log_path)}    # what it is doing")
    return "\n".join([
        f"The sheetclerk watcher as a launchd agent: {plist_path}",
        "It starts at every login. Switch it on now with:",
        *(f"  {s}" for s in steps),
        f"Switch it off: launchctl bootout gui/$(id -u)/{LAUNCHD_LABEL}",
        "If the workbooks are in Documents, Desktop or iCloud Drive, macOS may ask to allow access.",
    ])


# --------------------------------------------------------------------------- Task Scheduler (Windows)


def windows_quote(args: Sequence[str]) -> str:
    """Arguments joined the way the Microsoft C runtime (CommandLineToArgvW) splits them back."""
    return subprocess.list2cmdline(list(args))


def render_windows_task(
    argv: Sequence[str],
    working_dir: str,
    *,
    user: str | None = None,
    description: str = DESCRIPTION,
    retry_minutes: int = 5,
) -> bytes:
    """A Task Scheduler task (UTF-16 XML) that starts `argv` at the user's logon.

    It restarts a failed start every minute (up to 999 times), has no time limit,
    and its logon trigger repeats every `retry_minutes` while only one instance may
    run, so a watcher that stopped is started again. Task Scheduler cannot redirect
    output or set environment variables: logging is up to the command line itself.
    `user` (`DOMAIN\\name`) limits the trigger to that user's logon, which lets a
    non-administrator register the task.
    """
    args = _check_argv(argv, absolute="windows")
    ns = f"{{{TASK_NAMESPACE}}}"

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        el = ET.SubElement(parent, ns + tag, attrs)
        if text is not None:
            el.text = text
        return el

    task = ET.Element(ns + "Task", {"version": "1.2"})
    info = sub(task, "RegistrationInfo")
    sub(info, "Description", _check_value("the description", description))
    sub(info, "URI", "\\" + TASK_NAME)

    triggers = sub(task, "Triggers")
    logon = sub(triggers, "LogonTrigger")
    sub(logon, "Enabled", "true")
    if retry_minutes:
        repetition = sub(logon, "Repetition")
        sub(repetition, "Interval", f"PT{int(retry_minutes)}M")
        sub(repetition, "StopAtDurationEnd", "false")
    if user:
        sub(logon, "UserId", _check_value("the user", user))

    principal = sub(sub(task, "Principals"), "Principal", id="Author")
    if user:
        sub(principal, "UserId", user)
    sub(principal, "LogonType", "InteractiveToken")
    sub(principal, "RunLevel", "LeastPrivilege")

    settings = sub(task, "Settings")
    for tag, value in (
        ("MultipleInstancesPolicy", "IgnoreNew"),
        ("DisallowStartIfOnBatteries", "false"),
        ("StopIfGoingOnBatteries", "false"),
        ("AllowHardTerminate", "true"),
        ("StartWhenAvailable", "true"),
        ("RunOnlyIfNetworkAvailable", "false"),
    ):
        sub(settings, tag, value)
    idle = sub(settings, "IdleSettings")
    sub(idle, "StopOnIdleEnd", "false")
    sub(idle, "RestartOnIdle", "false")
    for tag, value in (
        ("AllowStartOnDemand", "true"),
        ("Enabled", "true"),
        ("Hidden", "false"),
        ("RunOnlyIfIdle", "false"),
        ("WakeToRun", "false"),
        ("ExecutionTimeLimit", "PT0S"),
        ("Priority", "7"),
    ):
        sub(settings, tag, value)
    restart = sub(settings, "RestartOnFailure")
    sub(restart, "Interval", "PT1M")
    sub(restart, "Count", "999")

    execute = sub(sub(task, "Actions", Context="Author"), "Exec")
    command = args[0]
    sub(execute, "Command", f'"{command}"' if any(c in command for c in " \t") else command)
    if args[1:]:
        sub(execute, "Arguments", windows_quote(args[1:]))
    sub(execute, "WorkingDirectory", _check_value("the working directory", working_dir))

    ET.register_namespace("", TASK_NAMESPACE)
    ET.indent(task, space="  ")
    body = ET.tostring(task, encoding="unicode", xml_declaration=False)
    text = '<?xml version="1.0" encoding="UTF-16"?>\r\n' + body.replace("\n", "\r\n") + "\r\n"
    return text.encode("utf-16")  # with a byte-order mark, as Task Scheduler exports it


def windows_instructions(xml_path: str) -> str:
    quoted = f'"{xml_path}"'
    return "\n".join([
        f"The sheetclerk watcher as a Task Scheduler task: {xml_path}",
        "It starts at every logon. Register it, then start it now (in a Command Prompt):",
        f"  schtasks /Create /TN {TASK_NAME} /XML {quoted}    (add /F to replace an existing task)",
        f"  schtasks /Run /TN {TASK_NAME}",
        f"  schtasks /Query /TN {TASK_NAME} /V /FO LIST    :: is it running?",
        f"Switch it off: schtasks /End /TN {TASK_NAME} && schtasks /Delete /TN {TASK_NAME} /F",
    ])


# --------------------------------------------------------------------------- choosing and installing


def current_platform(name: str | None = None) -> Platform:
    """`linux`, `macos` or `windows` for `sys.platform` (or for one of those names)."""
    raw = (name or sys.platform).lower()
    if raw in PLATFORMS:
        return raw  # type: ignore[return-value]
    if raw == "darwin":
        return "macos"
    if raw.startswith(("win", "cygwin", "msys")):
        return "windows"
    if raw.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        return "linux"
    raise ServiceError(f"Unknown platform {name or sys.platform!r}: choose one of {', '.join(PLATFORMS)}.")


def service_filename(platform: Platform) -> str:
    return {"linux": SYSTEMD_UNIT_NAME, "macos": f"{LAUNCHD_LABEL}.plist", "windows": TASK_XML_NAME}[platform]


def default_service_dir(platform: Platform, home: Path | None = None) -> Path:
    """Where the file belongs for the current user (for Windows: where the task XML is kept)."""
    env = os.environ if home is None else {}
    home = home if home is not None else Path.home()
    if platform == "linux":
        base = Path(env["XDG_CONFIG_HOME"]) if env.get("XDG_CONFIG_HOME") else home / ".config"
        return base / "systemd" / "user"
    if platform == "macos":
        return home / "Library" / "LaunchAgents"
    base = Path(env["LOCALAPPDATA"]) if env.get("LOCALAPPDATA") else home / "AppData" / "Local"
    return base / "sheetclerk"


def default_log_path(platform: Platform, home: Path | None = None) -> Path | None:
    """The daemon's log file (none on Windows, where Task Scheduler cannot redirect output)."""
    env = os.environ if home is None else {}
    home = home if home is not None else Path.home()
    if platform == "linux":
        base = Path(env["XDG_STATE_HOME"]) if env.get("XDG_STATE_HOME") else home / ".local" / "state"
        return base / "sheetclerk" / "watch.log"
    if platform == "macos":
        return home / "Library" / "Logs" / "sheetclerk" / "watch.log"
    return None


def find_executable() -> Path:
    """The installed `sheetclerk` command: beside this Python first, else on PATH."""
    names = ["sheetclerk.exe", "sheetclerk"] if os.name == "nt" else ["sheetclerk"]
    for folder in (Path(sys.executable).parent, Path(sys.executable).parent / "Scripts"):
        for name in names:
            if (folder / name).is_file():
                return (folder / name).absolute()
    found = shutil.which("sheetclerk")
    if found:
        return Path(found).absolute()
    raise ServiceError("Cannot find the `sheetclerk` command to run at login; pass its full path.")


def render(
    platform: Platform,
    argv: Sequence[str],
    working_dir: str,
    log_path: str | None = None,
    environment: Mapping[str, str] | None = None,
    *,
    user: str | None = None,
) -> ServiceFile:
    """The autostart file for `platform`."""
    try:
        if platform == "linux":
            content = render_systemd_unit(argv, working_dir, log_path, environment).encode("utf-8")
        elif platform == "macos":
            content = render_launchd_plist(argv, working_dir, log_path, environment)
        else:
            if environment:
                raise ValueError(
                    "a Windows task cannot set environment variables; set them for your user instead "
                    "(System Properties > Environment Variables, or `setx NAME value`)"
                )
            content = render_windows_task(argv, working_dir, user=user)
    except ValueError as e:
        raise ServiceError(f"Cannot write the {platform} service file: {e}.") from None
    return ServiceFile(platform, service_filename(platform), content)


def instructions(platform: Platform, path: str, log_path: str | None = None, *, installed: bool = True) -> str:
    if platform == "linux":
        return systemd_instructions(path, log_path, installed=installed)
    if platform == "macos":
        return launchd_instructions(path, log_path, installed=installed)
    return windows_instructions(path)


def install(
    platform: str | None,
    paths: Sequence[str | os.PathLike[str]],
    *,
    executable: str | os.PathLike[str] | None = None,
    working_dir: str | os.PathLike[str] | None = None,
    log_path: str | os.PathLike[str] | None = None,
    output: str | os.PathLike[str] | None = None,
    force: bool = False,
    environment: Mapping[str, str] | None = None,
    user: str | None = None,
    home: Path | None = None,
) -> str:
    """Write the autostart file for `sheetclerk watch PATHS...` and return the steps that switch it on.

    `platform` is `linux`, `macos` or `windows` (None: this machine). The file goes
    to the current user's standard place (`default_service_dir`), or into the folder
    `output`. Defaults: `executable` = the installed `sheetclerk`, `working_dir` =
    the current directory, `log_path` = `default_log_path` (its folder is created).
    When the platform is this machine's, paths are made absolute. An identical file
    is left as it is; a different one is replaced only with `force`
    (otherwise `ServiceFileExists`, a `CannotRun`: exit status 2).
    """
    target = current_platform(platform)
    local = target == current_platform()

    def absolute(p: str | os.PathLike[str]) -> str:
        return os.path.abspath(os.fspath(p)) if local else os.fspath(p)

    if executable is None:
        if not local:
            raise ServiceError(f"Writing a {target} service file on another system needs the path of sheetclerk there.")
        executable = find_executable()
    argv = watch_command(absolute(executable), [absolute(p) for p in paths])
    cwd = absolute(working_dir if working_dir is not None else Path.cwd())
    if log_path is None and target != "windows":
        default = default_log_path(target, home)
        log_path = default if local else None
    log = absolute(log_path) if log_path is not None else None
    if target == "windows" and user is None and local:
        name, domain = os.environ.get("USERNAME"), os.environ.get("USERDOMAIN")
        user = f"{domain}\\{name}" if name and domain else name
    if target == "windows" and log:
        raise ServiceError("Task Scheduler cannot redirect output to a log file; leave out the log path on Windows.")

    service = render(target, argv, cwd, log, environment, user=user)
    folder = Path(output) if output is not None else default_service_dir(target, home)
    path = folder / service.filename
    changed = _write(path, service.content, force=force)
    if log and local:
        Path(log).parent.mkdir(parents=True, exist_ok=True)

    state = "Wrote" if changed else "Already up to date:"
    text = instructions(target, str(path), log, installed=output is None)
    return f"{state} {path}\n{text}\n"


def _write(path: Path, content: bytes, *, force: bool) -> bool:
    """Write `content` to `path` atomically; False when the same file is already there."""
    if path.exists():
        if path.is_file() and path.read_bytes() == content:
            return False
        if not force:
            raise ServiceFileExists(
                f"{path} already exists and differs from the service file sheetclerk would write. "
                "Look at it, then run again with --force to replace it."
            )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(content)
            os.chmod(tmp, 0o644)  # launchd refuses agents that others can write
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as e:
        raise ServiceError(f"Cannot write {path}: {e.strerror or e}.") from None
    return True
