"""The Python example of README.md runs as written."""

import os
import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_python_block_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert len(blocks) == 2
    monkeypatch.chdir(tmp_path)
    scope: dict[str, object] = {}
    exec(compile(blocks[0], "README.md", "exec"), scope)
    assert os.path.exists(tmp_path / "agency.db")
    page = scope["page"]
    assert getattr(page, "total") == 1
    history = scope["history"]
    assert isinstance(history, list) and history[0].reference == "BK-1001"


def test_readme_schedule_and_letters_block_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    monkeypatch.chdir(tmp_path)
    scope: dict[str, object] = {}
    exec(compile(blocks[1], "README.md", "exec"), scope)
    runs = scope["runs"]
    assert isinstance(runs, list) and len(runs) == 1 and runs[0].error is None
    message = scope["message"]
    assert getattr(message, "text").startswith("Chère Madame Martin,")
    run = scope["run"]
    assert getattr(run, "marked_sent") == 1 and getattr(run, "letters").startswith(b"%PDF")
