"""Rewrite the output shown under each ``$ assess-rules explain ...`` example of
docs/explain.md with what the command prints now (after a pack change: review the diff).

    .venv/bin/python scripts/regenerate_explain_docs.py
"""

from __future__ import annotations

import io
import re
from pathlib import Path

from assess_rules.cli import run

ROOT = Path(__file__).parents[1]
DOC = ROOT / "docs" / "explain.md"
CONSOLE = re.compile(r"```console\n\$ (?P<command>[^\n]+)\n(?P<output>.*?)```", re.DOTALL)
#: how many lines of JSON the page shows
JSON_LINES = 24


def _output(command: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    code = run(command.split()[1:], out, err)
    if code != 0:
        raise SystemExit(f"{command}: exit {code}\n{err.getvalue()}")
    text = out.getvalue()
    if "--format json" in command:
        text = "\n".join(text.splitlines()[:JSON_LINES]) + "\n...\n"
    return text


def main() -> None:
    text = DOC.read_text(encoding="utf-8")
    text = CONSOLE.sub(lambda m: f"```console\n$ {m['command']}\n{_output(m['command'])}```", text)
    DOC.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    import os

    os.chdir(ROOT)
    main()
