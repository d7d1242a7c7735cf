"""Replay real Google traffic (gspread's recorded test cassettes) against the fake and compare answers.

Each cassette is a sequence of request/response pairs recorded against Google
by gspread's own test suite. Requests to endpoints the fake implements are
sent to a fresh fake in order (recorded spreadsheet ids mapped to the fake's);
the fake's status and JSON body are compared with the recorded ones after
leaving out what cannot match (ids, time stamps, theme colours). Requests to
endpoints the fake does not implement are skipped (and counted).

    python tests/google/conformance.py [CASSETTE_DIR]   # prints the table
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fake_google import FakeGoogle  # noqa: E402

DEFAULT_DIR = Path(__file__).resolve().parents[3] / "shared" / "conformance" / "gspread-cassettes"

#: (method, path pattern) -> endpoint name, for the endpoints the fake implements.
ENDPOINTS: tuple[tuple[str, re.Pattern[str], str], ...] = (
    ("GET", re.compile(r"^/v4/spreadsheets/[^/:]+$"), "spreadsheets.get"),
    ("POST", re.compile(r"^/v4/spreadsheets/[^/:]+:batchUpdate$"), "spreadsheets.batchUpdate"),
    ("GET", re.compile(r"^/v4/spreadsheets/[^/]+/values:batchGet$"), "values.batchGet"),
    ("POST", re.compile(r"^/v4/spreadsheets/[^/]+/values:batchUpdate$"), "values.batchUpdate"),
    ("POST", re.compile(r"^/v4/spreadsheets/[^/]+/values:batchClear$"), "values.batchClear"),
    ("GET", re.compile(r"^/v4/spreadsheets/[^/]+/values/[^:]+$"), "values.get"),
    ("PUT", re.compile(r"^/v4/spreadsheets/[^/]+/values/[^:]+$"), "values.update"),
    ("POST", re.compile(r"^/v4/spreadsheets/[^/]+/values/.+:append$"), "values.append"),
    ("POST", re.compile(r"^/v4/spreadsheets/[^/]+/values/.+:clear$"), "values.clear"),
    ("GET", re.compile(r"^/drive/v3/files/[^/]+$"), "drive.files.get"),
    ("POST", re.compile(r"^/drive/v3/files$"), "drive.files.create"),
    ("DELETE", re.compile(r"^/drive/v3/files/[^/]+$"), "drive.files.delete"),
)
LIMIT = 40
_VOLATILE = {"createdTime", "modifiedTime", "spreadsheetTheme", "kind", "details"}


def endpoint(method: str, path: str) -> str | None:
    for m, pattern, name in ENDPOINTS:
        if m == method and pattern.match(path):
            return name
    return None


def _normal(value: Any, ids: dict[str, str]) -> Any:
    if isinstance(value, dict):
        return {k: _normal(v, ids) for k, v in value.items() if k not in _VOLATILE}
    if isinstance(value, list):
        return [_normal(v, ids) for v in value]
    if isinstance(value, str):
        for fake_id, recorded in ids.items():
            value = value.replace(fake_id, recorded)
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def replay(folder: Path = DEFAULT_DIR) -> tuple[Counter, Counter, Counter, list[str]]:
    """(pairs, status agreements, body agreements) per endpoint, and a few example disagreements."""
    pairs, same_status, same_body, examples = Counter(), Counter(), Counter(), []
    for cassette in sorted(folder.glob("*.json")):
        fake = FakeGoogle(reads_per_minute=10**9, writes_per_minute=10**9)
        ids: dict[str, str] = {}  # recorded id -> fake id
        for pair in json.loads(cassette.read_text())["interactions"]:
            request, response = pair["request"], pair["response"]
            parts = urlsplit(request["uri"])
            target = request["uri"][len(f"{parts.scheme}://{parts.netloc}"):]
            for recorded, mine in ids.items():
                target = target.replace(recorded, mine)
            name = endpoint(request["method"], urlsplit(target).path)
            if name is None:
                continue
            body = request.get("body") or b""
            if isinstance(body, str):
                for recorded, mine in ids.items():
                    body = body.replace(recorded, mine)
                body = body.encode()
            status, answer, _ = fake.handle(request["method"], parts.hostname or "", target, body, {"Authorization": "Bearer x"})
            recorded_text = (response.get("body") or {}).get("string") or ""
            try:
                recorded_body = json.loads(recorded_text) if recorded_text else None
            except ValueError:
                recorded_body = recorded_text
            if name == "drive.files.create" and status == 200 and isinstance(recorded_body, dict):
                ids[recorded_body["id"]] = answer["id"]
            pairs[name] += 1
            if status == response["status"]["code"]:
                same_status[name] += 1
                reverse = {mine: recorded for recorded, mine in ids.items()}
                if _normal(answer, reverse) == _normal(recorded_body, {}):
                    same_body[name] += 1
                elif len(examples) < LIMIT:
                    examples.append(f"{cassette.stem} {name}: fake {json.dumps(_normal(answer, reverse))[:300]} | google {json.dumps(_normal(recorded_body, {}))[:300]}")
            elif len(examples) < LIMIT:
                examples.append(f"{cassette.stem} {name}: status {status} vs {response['status']['code']}")
    return pairs, same_status, same_body, examples


def table(pairs: Counter, same_status: Counter, same_body: Counter) -> str:
    lines = [f"{'endpoint':28} {'pairs':>6} {'status':>7} {'body':>6}"]
    for name in sorted(pairs):
        lines.append(f"{name:28} {pairs[name]:6d} {same_status[name]:7d} {same_body[name]:6d}")
    lines.append(f"{'total':28} {sum(pairs.values()):6d} {sum(same_status.values()):7d} {sum(same_body.values()):6d}")
    return "\n".join(lines)


if __name__ == "__main__":
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_DIR
    p, s, b, ex = replay(folder)
    print(table(p, s, b))
    if "-v" in sys.argv:
        print("\n".join(ex))
