from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from clausewatch.cli import app

runner = CliRunner()


def test_classify_reads_and_writes_json_lines() -> None:
    lines = [
        json.dumps({"text": "These terms are governed by the laws of Ireland."}),
        "",
        json.dumps({"id": "p2", "text": "Any dispute shall be settled by binding arbitration."}),
    ]
    result = runner.invoke(app, ["classify"], input="\n".join(lines) + "\n")
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 2
    assert rows[0]["claudette"] == ["choice_of_law"]
    assert rows[1]["id"] == "p2"
    assert "binding_arbitration" in rows[1]["types"]
    for row in rows:
        assert row["severity"] in {"low", "medium", "high"}
        assert row["confidence"] in {"low", "medium", "high"}
        assert row["evidence"] in {"Explicit document language", "Inferred"}


def test_bad_line_names_its_number_and_fails() -> None:
    lines = [json.dumps({"text": "Fine."}), json.dumps({"txt": "no text"}), "{"]
    result = runner.invoke(app, ["classify"], input="\n".join(lines) + "\n")
    assert result.exit_code == 2
    assert "line 2" in result.stderr
    assert 'missing a string "text"' in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert len(result.stdout.splitlines()) == 1


def test_document_language_option_and_per_line_language() -> None:
    lines = [
        json.dumps({"text": "Haftungsbeschränkung"}),
        json.dumps({"text": "Haftungsbeschränkung", "language": "pl"}),
        json.dumps({"text": "We may terminate your account at any time without notice."}),
    ]
    plain = runner.invoke(app, ["classify"], input="\n".join(lines) + "\n")
    assert plain.exit_code == 0, plain.output
    assert [json.loads(x)["language"] for x in plain.stdout.splitlines()] == ["en", "pl", "en"]
    hinted = runner.invoke(app, ["classify", "--language", "de"], input="\n".join(lines) + "\n")
    assert hinted.exit_code == 0, hinted.output
    rows = [json.loads(x) for x in hinted.stdout.splitlines()]
    assert [r["language"] for r in rows] == ["de", "pl", "en"]
    assert rows[2]["claudette"] == ["unilateral_termination"]


def test_bad_language_values_are_refused_with_their_place() -> None:
    bad_option = runner.invoke(app, ["classify", "-l", "german!"], input="{}\n")
    assert bad_option.exit_code == 2
    assert "--language" in bad_option.stderr and "german!" in bad_option.stderr
    assert bad_option.stdout == ""
    lines = [json.dumps({"text": "Fine."}), json.dumps({"text": "x", "language": 7})]
    bad_line = runner.invoke(app, ["classify"], input="\n".join(lines) + "\n")
    assert bad_line.exit_code == 2
    assert "line 2" in bad_line.stderr and '"language"' in bad_line.stderr
    assert len(bad_line.stdout.splitlines()) == 1


def test_input_file(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps({"text": "We may remove your content at any time."}) + "\n")
    result = runner.invoke(app, ["classify", "--input", str(path), "--scores"])
    assert result.exit_code == 0, result.output
    row = json.loads(result.stdout)
    assert "content_removal" in row["types"]
    assert "scores" in row
    missing = runner.invoke(app, ["classify", "--input", str(tmp_path / "nope.jsonl")])
    assert missing.exit_code == 2
    assert "nope.jsonl" in missing.stderr


def test_taxonomy_command_lists_every_type() -> None:
    result = runner.invoke(app, ["taxonomy", "--json"])
    assert result.exit_code == 0
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) >= 40
    assert {"id", "category", "definition", "severity", "modifiers", "claudette", "tosdr"} <= set(
        rows[0]
    )


def test_bytes_that_are_not_utf8_are_refused_at_their_line(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_bytes(b'{"text": "We may suspend your account."}\n\xff\xfe{"text": "x"}\n')
    result = runner.invoke(app, ["classify", "--input", str(path)])
    assert result.exit_code == 2
    assert "line 2: not UTF-8 text (byte 0xff at byte 1)" in result.stderr
    # The line before the bad one was classified and written.
    assert len(result.stdout.splitlines()) == 1
    stdin = runner.invoke(app, ["classify"], input=b'\xe9{"text": "x"}\n')
    assert stdin.exit_code == 2
    assert "<stdin>: line 1: not UTF-8 text (byte 0xe9 at byte 1)" in stdin.stderr


def test_a_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.jsonl"
    path.write_bytes('\ufeff{"text": "We may suspend your account at any time."}\n'.encode())
    result = runner.invoke(app, ["classify", "--input", str(path)])
    assert result.exit_code == 0, result.stderr
    assert "termination_suspension" in json.loads(result.stdout)["types"]


def test_taxonomy_command_shows_a_languages_cues() -> None:
    result = runner.invoke(app, ["taxonomy", "--json", "--language", "de"])
    assert result.exit_code == 0, result.output
    rows = {r["id"]: r for r in map(json.loads, result.stdout.splitlines())}
    jurisdiction = rows["jurisdiction"]
    assert jurisdiction["language"] == "de"
    assert any("gerichtsstand" in cue for cue in jurisdiction["cues"])
    assert jurisdiction["cue_languages"] == ["en", "de", "fr", "it", "pl"]
    table = runner.invoke(app, ["taxonomy"], env={"COLUMNS": "250"})
    assert table.exit_code == 0
    assert "cues in" in table.stdout
    assert "en cues" in table.stdout
    # The rules read after the cues are listed with their type, in every language.
    assert " next" in table.stdout
    notice = rows["unilateral_change_with_notice"]
    assert notice["follow_after"] and notice["follow_cues"]
    assert any("informieren" in cue for cue in notice["follow_cues"])
    silent = rows["unilateral_change_without_notice"]
    assert silent["gives_way_to"] == ["unilateral_change_with_notice"]
    assert any("ohne" in cue for cue in silent["stands_when"])


def test_taxonomy_command_refuses_a_language_without_cues() -> None:
    result = runner.invoke(app, ["taxonomy", "--language", "es"], env={"COLUMNS": "200"})
    assert result.exit_code == 2
    assert "no cue phrases for 'es'" in result.output
    assert "en, de, fr, it, pl" in result.output


def test_scores_name_only_the_heads_a_model_has() -> None:
    """The German, Italian and Polish models have no ToS;DR-trained head: their scores carry
    no "unfavourable" probability (it was a constant 0.5), while English ones do."""
    lines = [
        json.dumps({"text": "We may suspend your account at any time."}),
        json.dumps({"text": "Wir können Ihr Konto jederzeit und ohne Angabe von Gründen sperren."}),
    ]
    result = runner.invoke(app, ["classify", "--scores"], input="\n".join(lines) + "\n")
    assert result.exit_code == 0, result.output
    english, german = (json.loads(line) for line in result.stdout.splitlines())
    assert german["language"] == "de" and english["language"] == "en"
    assert 0.0 <= english["scores"]["unfavourable"] <= 1.0
    assert "unfavourable" not in german["scores"]
    assert any(k.startswith("claudette:") for k in german["scores"])
    assert any(k.startswith("type:") for k in german["scores"])
