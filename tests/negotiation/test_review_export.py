"""Exports: full JSON and CSV tables with a codebook, from the command line and the review page;
stable pseudonyms; spreadsheet formulas defused."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command

from negotiation.models import Message, Seat
from negotiation.review.export import TABLES, build_export, csv_cell, table_csv
from tests.negotiation.test_review_fixtures import play


@pytest.fixture
def played_game(game):
    play(game)
    return game


DOCS = Path(__file__).resolve().parents[2] / "docs" / "export-format.md"


def read_csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def test_the_command_writes_every_csv_table_and_the_codebook(played_game, tmp_path, capsys):
    call_command("export_game", str(played_game.pk), "--format", "csv", "--out", str(tmp_path))

    written = {p.name for p in tmp_path.iterdir()}
    assert {f"{t}.csv" for t in TABLES} | {"codebook.csv", "README.txt"} == written
    assert "wrote" in capsys.readouterr().out
    messages = read_csv(tmp_path / "messages.csv")
    assert [m["body"] for m in messages[:2]] == ["Aurel proposes a hotline, turn 1.", "Borun listens, turn 1."]
    assert messages[0]["author"] == "Ana (Aurel)"
    orders = read_csv(tmp_path / "orders.csv")
    assert {"revision", "resolved"} == {o["source"] for o in orders}
    assert any(o["type"] == "BUILD" and o["state"] == "borun" and '"covert": true' in o["params"] for o in orders)
    scores = read_csv(tmp_path / "scores.csv")
    assert len(scores) == 3 * 4
    assert {s["turn"] for s in scores} == {"1", "2", "3"}


def test_every_csv_column_is_in_the_codebook_and_the_docs(played_game, tmp_path):
    call_command("export_game", str(played_game.pk), "--format", "csv", "--out", str(tmp_path))
    codebook = {(r["table"], r["column"]) for r in read_csv(tmp_path / "codebook.csv")}
    docs = DOCS.read_text(encoding="utf-8")

    for table in TABLES:
        header = (tmp_path / f"{table}.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
        assert all((table, column) in codebook for column in header), table
        assert f"`{table}.csv`" in docs
        assert all(f"`{column}`" in docs for column in header), table


def test_the_json_export_holds_the_whole_record(played_game, tmp_path):
    call_command("export_game", played_game.code, "--format", "json", "--out", str(tmp_path))

    data = json.loads((tmp_path / f"game-{played_game.code}.json").read_text(encoding="utf-8"))
    assert data["format"] == "treatycraft-game-export" and data["version"] == 1
    assert data["game"]["seed"] == played_game.seed  # revealed: the game has ended
    assert [t["turn"] for t in data["turns"]] == [1, 2, 3]
    assert data["turns"][0]["state_before"]["turn"] == 1
    assert len(data["events"]) == played_game.events.count()
    assert len(data["messages"]) == 7
    private = next(m for m in data["messages"] if m["channel"] == "bi:aurel:borun")
    assert private["audience"] == "aurel;borun;facilitator" or set(private["audience"].split(";")) >= {"aurel", "borun"}
    assert set(data["codebook"]) == set(TABLES)


def test_a_running_game_exports_without_its_seed(game):
    from tests.negotiation.test_review_fixtures import play

    play(game, turns=1, end=False)
    data = build_export(game)

    assert data.game["seed"] is None
    assert data.turns[0]["state_before"] is None
    assert game.seed not in json.dumps(data.tables, default=str)


def test_pseudonyms_replace_every_name_and_stay_the_same_between_exports(played_game, tmp_path):
    call_command("export_game", str(played_game.pk), "--format", "json", "--out", str(tmp_path / "a"), "--pseudonymize")
    call_command("export_game", str(played_game.pk), "--format", "csv", "--out", str(tmp_path / "b"), "--pseudonymize")
    first = (tmp_path / "a" / f"game-{played_game.code}.json").read_text(encoding="utf-8")
    tables = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "b").glob("*.csv"))
    again = build_export(played_game, pseudonymize=True)

    for name in ("Ana", "Bo", "teacher"):
        assert not re.search(rf"(?<!\w){name}(?!\w)", first), name
        assert not re.search(rf"(?<!\w){name}(?!\w)", tables), name
    data = json.loads(first)
    ana = data["seats"][0]["members"][0]["name"]
    assert ana.startswith("P-")
    assert again.seats[0]["members"][0]["name"] == ana
    assert data["messages"][0]["author"] == f"{ana} (Aurel)"
    assert data["game"]["facilitator"].startswith("F-")


def test_pseudonyms_also_replace_names_written_inside_messages(played_game):
    Message.objects.filter(game=played_game, seq=Message.objects.filter(game=played_game).first().seq).update(
        body="Bo, trust Ana on this. Bobby is someone else.")

    bundle = build_export(played_game, pseudonymize=True)

    body = bundle.tables["messages"][0]["body"]
    assert "Ana" not in body and "Bo," not in body
    assert "Bobby" in body


def test_cells_a_spreadsheet_would_run_are_defused_and_numbers_stay_numbers():
    assert csv_cell("=HYPERLINK(\"http://x\")") == "'=HYPERLINK(\"http://x\")"
    assert [csv_cell(v) for v in ("+1", "-2 missiles", "@SUM(A1)", "\tx", "plain")] == [
        "'+1", "'-2 missiles", "'@SUM(A1)", "'\tx", "plain"]
    assert csv_cell(-3.5) == -3.5
    assert csv_cell(None) == ""
    assert csv_cell(True) == "true"


def test_a_formula_typed_in_the_chat_reaches_the_csv_as_text(played_game, tmp_path):
    seat = Seat.objects.get(game=played_game, state_id="aurel")
    Message.objects.create(game=played_game, seq=played_game.last_seq + 1, channel="plenary", author_seat=seat,
                           author_label="=cmd|' /C calc'!A0", body="=1+1")

    text = table_csv("messages", build_export(played_game).tables["messages"])

    row = list(csv.DictReader(io.StringIO(text)))[-1]
    assert row["body"] == "'=1+1"
    assert row["author"] == "'=cmd|' /C calc'!A0"


def test_the_facilitator_downloads_the_export_from_the_review_page(played_game, fac_client):
    as_json = fac_client.get(f"/review/{played_game.pk}/export/?format=json&pseudonymize=1")
    as_zip = fac_client.get(f"/review/{played_game.pk}/export/?format=csv")

    assert as_json["Content-Type"].startswith("application/json")
    assert "attachment" in as_json["Content-Disposition"] and "pseudonymised" in as_json["Content-Disposition"]
    assert json.loads(as_json.content)["pseudonymized"] is True
    with zipfile.ZipFile(io.BytesIO(as_zip.content)) as archive:
        names = {Path(n).name for n in archive.namelist()}
    assert {"events.csv", "messages.csv", "proposals.csv", "orders.csv", "scores.csv", "codebook.csv"} <= names


def test_proposal_entries_of_the_log_fill_the_proposals_table(played_game):
    from negotiation.services.common import lock_game, log

    log(lock_game(played_game.pk), "proposal.revised", "player:aurel",
        {"proposal": 4, "version": 3, "parties": ["aurel", "borun"], "terms_hash": "abc", "text": "Hotline v3"})

    rows = build_export(played_game).tables["proposals"]

    row = next(r for r in rows if r["kind"] == "proposal.revised")
    assert (row["proposal"], row["version"], row["parties"], row["terms_hash"]) == ("4", "3", "aurel;borun", "abc")
