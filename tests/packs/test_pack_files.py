"""Reading pack folders and zips: records with their lines, bounded sizes, errors that name file and line."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from csctools.packs.files import MAX_FILE_BYTES, PackError, check_keys, load_pack, without_lines

MANIFEST = "name: leeds-checks\nversion: 1.2\nauthor: Leeds data team\nreturns: [ssda903]\nyears: 2025/26\n"
RULES = """\
- code: LEEDS-PL01
  message: Placement postcode missing
  condition: PL_POST IS NULL
- code: LEEDS-PL02
  message: Second rule
"""


def write_pack(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_folder_pack_records_keep_their_file_and_line(tmp_path: Path) -> None:
    pack = load_pack(write_pack(tmp_path, {"pack.yaml": MANIFEST, "rules/placements.yaml": RULES}))
    assert pack.info.name == "leeds-checks" and pack.info.version == "1.2"
    assert pack.info.returns == ("ssda903",) and pack.info.years == ("2025/26",)
    rules = pack.of_kind("rules")
    assert [(r.file, r.line, r.data["code"]) for r in rules] == [
        ("rules/placements.yaml", 1, "LEEDS-PL01"),
        ("rules/placements.yaml", 4, "LEEDS-PL02"),
    ]
    assert without_lines(rules[0].data) == {
        "code": "LEEDS-PL01",
        "message": "Placement postcode missing",
        "condition": "PL_POST IS NULL",
    }
    assert pack.settings is None and pack.of_kind("indicators") == []


def test_zip_of_a_folder_reads_the_same_and_hashes_the_same(tmp_path: Path) -> None:
    folder = write_pack(tmp_path / "p", {"pack.yaml": MANIFEST, "rules/a.yaml": RULES, "settings.yaml": "off: [101]"})
    archive = tmp_path / "p.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for path in folder.rglob("*"):
            if path.is_file():
                z.write(path, "leeds-checks/" + path.relative_to(folder).as_posix())
    from_folder, from_zip = load_pack(folder), load_pack(archive)
    assert from_zip.content_hash == from_folder.content_hash
    assert [r.data["code"] for r in from_zip.of_kind("rules")] == ["LEEDS-PL01", "LEEDS-PL02"]
    assert from_zip.settings is not None and from_zip.settings.data["off"] == [101]


def test_content_hash_changes_with_any_byte(tmp_path: Path) -> None:
    folder = write_pack(tmp_path, {"pack.yaml": MANIFEST, "rules/a.yaml": RULES})
    before = load_pack(folder).content_hash
    (folder / "rules/a.yaml").write_text(RULES.replace("missing", "absent"), encoding="utf-8")
    assert load_pack(folder).content_hash != before


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"rules/a.yaml": RULES}, "pack.yaml: is missing"),
        ({"pack.yaml": "name: x\nversion: [1\n"}, "pack.yaml line 3: not valid YAML"),
        ({"pack.yaml": "name: x\nversoin: 1\n"}, 'pack.yaml line 1: unknown key "versoin"'),
        ({"pack.yaml": "name: x\n"}, 'pack.yaml line 1: pack.yaml needs "version"'),
        ({"pack.yaml": MANIFEST.replace("ssda903", "ssda902")}, 'pack.yaml line 1: unknown return "ssda902"'),
        ({"pack.yaml": MANIFEST, "rules/a.yaml": "- code: [\n"}, "rules/a.yaml line 2: not valid YAML"),
        ({"pack.yaml": MANIFEST, "rules/a.yaml": "- just text\n"}, "rules/a.yaml: each rule must be a mapping"),
        ({"pack.yaml": "!!python/object:os.system {}\n"}, "pack.yaml line 1: not valid YAML"),
        (
            {"pack.yaml": MANIFEST, "rules/a.yaml": "- code: LEEDS-X1\n  message: Placement: postcode missing\n"},
            'rules/a.yaml line 2: not valid YAML: mapping values are not allowed here (a value holding ": " goes',
        ),
        (
            {"pack.yaml": MANIFEST, "rules/a.yaml": RULES + "  examples:\n    - DECOM: 2019-31-12\n"},
            "rules/a.yaml line 7: '2019-31-12' is not a date (write YYYY-MM-DD)",
        ),
    ],
)
def test_malformed_packs_name_file_and_line(tmp_path: Path, files: dict[str, str], expected: str) -> None:
    with pytest.raises(PackError) as raised:
        load_pack(write_pack(tmp_path, files))
    assert str(raised.value).startswith(expected)


def test_zip_member_outside_the_pack_is_refused(tmp_path: Path) -> None:
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("pack.yaml", MANIFEST)
        z.writestr("../outside.yaml", "x: 1")
    with pytest.raises(PackError, match="outside the pack"):
        load_pack(archive)


def test_oversized_file_is_refused_before_parsing(tmp_path: Path) -> None:
    folder = write_pack(tmp_path, {"pack.yaml": MANIFEST})
    (folder / "rules").mkdir()
    (folder / "rules" / "big.yaml").write_bytes(b"#" * (MAX_FILE_BYTES + 1))
    with pytest.raises(PackError, match="a pack file may be at most"):
        load_pack(folder)


def test_not_a_pack(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(PackError, match="is not a pack"):
        load_pack(tmp_path / "notes.txt")
    (tmp_path / "bad.zip").write_bytes(b"not a zip")
    with pytest.raises(PackError, match="not a readable zip"):
        load_pack(tmp_path / "bad.zip")


def test_check_keys_names_the_unknown_key_and_missing_key() -> None:
    with pytest.raises(PackError, match=r'rules/a.yaml line 7: unknown key "sevrity" in rule'):
        check_keys({"code": "X", "sevrity": "error", "__line__": 7}, "rules/a.yaml", {"code", "severity"}, what="rule")
    with pytest.raises(PackError, match=r'rules/a.yaml line 2: rule needs "message"'):
        check_keys({"code": "X", "__line__": 2}, "rules/a.yaml", {"code"}, required=("message",), what="rule")


def test_only_true_and_false_are_booleans(tmp_path: Path) -> None:
    """YAML 1.1 would read the code NO, or a key `off`, as a boolean."""
    pack = load_pack(write_pack(tmp_path, {"pack.yaml": MANIFEST, "rules/a.yaml": "codes: [NO, yes, On]\nx: true\n"}))
    data = pack.of_kind("rules")[0].data
    assert data["codes"] == ["NO", "yes", "On"] and data["x"] is True


def test_an_unquoted_version_is_read_as_written(tmp_path: Path) -> None:
    # YAML reads 1.10 as the number 1.1, which sorts before 1.9 when a pack is installed over another
    folder = write_pack(tmp_path, {"pack.yaml": MANIFEST.replace("version: 1.2", "version: 1.10  # October")})
    assert load_pack(folder).info.version == "1.10"


def test_the_impossible_date_named_is_the_value_yaml_read_as_a_date() -> None:
    from csctools.packs.files import _impossible_date

    assert _impossible_date('a: "batch 2019-31-12"\nb: 2020-13-01\n') == (2, "2020-13-01")  # not the quoted text
    assert _impossible_date("x: [2020-01-01, 2020-02-30]\n") == (1, "2020-02-30")
    assert _impossible_date("a: 2020-01-01\n") == (None, "")


def test_a_version_is_read_as_written_with_windows_line_endings(tmp_path: Path) -> None:
    manifest = MANIFEST.replace("version: 1.2", "version: 1.10").replace("\n", "\r\n")
    assert load_pack(write_pack(tmp_path, {"pack.yaml": manifest})).info.version == "1.10"
