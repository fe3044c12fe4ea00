"""Reading a pack: a folder (or a .zip of one) holding `pack.yaml` and YAML records, read as data only.

A pack's files are untrusted: YAML is read with the safe loader, sizes are bounded before reading, a zip is read
in memory (never extracted), and every problem is a `PackError` naming the file and line.

Layout::

    pack.yaml            name, version, author, description, licence, returns, years
    settings.yaml        optional: rules switched off, severities changed, queries accepted
    rules/*.yaml         records of each kind: one mapping per file, or a list of mappings
    indicators/*.yaml
    policies/*.yaml
    scenarios/*.yaml
"""

from __future__ import annotations

import hashlib
import re
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path, PurePosixPath
from typing import Any, NamedTuple

import yaml

from csctools.packs.errors import PackError as PackError  # re-exported: the name packs use

RECORD_KINDS = ("rules", "indicators", "policies", "scenarios")
MANIFEST = "pack.yaml"
SETTINGS = "settings.yaml"
MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_PACK_BYTES = 20 * 1024 * 1024
MAX_FILES = 2000
LINE_KEY = "__line__"  # each mapping read from YAML carries the line it starts on (1-based)
MANIFEST_KEYS = {"name", "version", "author", "description", "licence", "returns", "years", "requires"}
RETURNS = ("ssda903", "cin", "annex_a")


class PackInfo(NamedTuple):
    name: str
    version: str
    author: str
    description: str
    licence: str
    returns: tuple[str, ...]
    years: tuple[str, ...]  # collection years as written ("2025/26"); empty means every year


class Record(NamedTuple):
    """One record of a pack (a rule, an indicator, a policy, a scenario) with where it was read from."""

    kind: str
    file: str  # path inside the pack, e.g. "rules/placements.yaml"
    line: int
    data: dict[str, Any]

    def error(self, message: str, key: str | None = None) -> PackError:
        """A PackError at the record's line, or at the line of its `key` when given and known."""
        return PackError(self.file, message, (key_line(self.data, key) if key else None) or self.line)


class Pack(NamedTuple):
    info: PackInfo
    source: str  # the folder or zip it was read from, as given
    content_hash: str  # sha256 over every file's path and bytes
    records: dict[str, list[Record]]
    settings: Record | None
    files: Mapping[str, bytes]  # every file by its path inside the pack (e.g. SQL a rule names)

    def text(self, name: str) -> str:
        """A file of the pack as text (UTF-8); a PackError when it is absent."""
        if name not in self.files:
            raise PackError(name, "is named but is not in the pack")
        return _text(self.files, name)

    def of_kind(self, kind: str) -> list[Record]:
        return self.records.get(kind, [])

    @property
    def label(self) -> str:
        return f"{self.info.name} {self.info.version} (sha256 {self.content_hash[:12]})"


class _LineLoader(yaml.SafeLoader):
    """The safe loader, noting the line each mapping starts on under LINE_KEY."""


# libyaml's parser with the same safe constructor and resolver, ~5 times faster on a large pack; a file it refuses
# is read again by _LineLoader, so that the message (and its line) is the one the pure-Python parser gives
_FastLoader: type[yaml.CSafeLoader] | None = None
if getattr(yaml, "__with_libyaml__", False):

    class _CLineLoader(yaml.CSafeLoader):
        """The safe loader on libyaml, noting the line each mapping starts on under LINE_KEY."""

    _FastLoader = _CLineLoader


class Line(int):
    """The line a mapping starts on (an int wherever a line is read), knowing the line of each of its keys, so
    that a message can point at the `condition:` of a rule rather than at its `code:`."""

    keys: dict[str, int]

    def __new__(cls, line: int, keys: dict[str, int]) -> Line:
        made = super().__new__(cls, line)
        made.keys = keys
        return made

    def __reduce__(self) -> tuple[type[Line], tuple[int, dict[str, int]]]:
        return (Line, (int(self), self.keys))


yaml.SafeDumper.add_representer(Line, lambda dumper, line: dumper.represent_int(int(line)))


def _mapping_with_line(loader: yaml.SafeLoader | yaml.CSafeLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    mapping = loader.construct_mapping(node, deep=True)
    keys = {str(key.value): key.start_mark.line + 1 for key, _ in node.value if isinstance(key, yaml.ScalarNode)}
    mapping[LINE_KEY] = Line(node.start_mark.line + 1, keys)
    return mapping


def key_line(value: Any, key: str) -> int | None:
    """The line of `key` in a mapping read from YAML; None when not known."""
    line = value.get(LINE_KEY) if isinstance(value, Mapping) else None
    return line.keys.get(key) if isinstance(line, Line) else None


# YAML 1.1 reads yes/no/on/off as booleans: a code list holding "NO" or a key "off" would change meaning. Only
# true and false are booleans in a pack.
_RESOLVERS = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
for _loader in (_LineLoader, _FastLoader):
    if _loader is not None:
        _loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_with_line)
        _loader.yaml_implicit_resolvers = {first: list(found) for first, found in _RESOLVERS.items()}
        _loader.add_implicit_resolver(
            "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
        )


# a date as YAML reads one: a whole plain value (after "key:", "- " or in a flow list), not inside quoted text
_DATE_LIKE = re.compile(r"(?:^|:|^\s*-|[\[,{])\s*(\d{4})-(\d\d?)-(\d\d?)\s*(?=$|[,\]}#])")


def _impossible_date(text: str) -> tuple[int | None, str]:
    """The line and text of the first value written like a date that is not one (2019-31-12), if any."""
    from datetime import date

    for number, line in enumerate(text.splitlines(), start=1):
        for found in _DATE_LIKE.finditer(line.split("#")[0].rstrip()):
            try:
                date(*(int(part) for part in found.groups()))
            except ValueError:
                return number, "-".join(found.groups())
    return None, ""


def parse_yaml(text: str, file: str) -> Any:
    """YAML as plain data (safe loader); a syntax error is a PackError with its line."""
    if _FastLoader is not None:
        try:
            return yaml.load(text, Loader=_FastLoader)  # a CSafeLoader
        except (yaml.YAMLError, ValueError):
            pass  # read again below, for the pure-Python parser's message
    try:
        return yaml.load(text, Loader=_LineLoader)  # _LineLoader is a SafeLoader
    except ValueError as error:  # YAML reads 2019-31-12 as a date, which it is not
        line, written = _impossible_date(text)
        what = f"'{written}' is not a date (write YYYY-MM-DD)" if written else f"a value cannot be read ({error})"
        raise PackError(file, what, line) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = str(error.problem or error)
        if "mapping values are not allowed" in problem:  # message: Placement: postcode missing
            problem += ' (a value holding ": " goes in quotes: message: "Placement: postcode missing")'
        raise PackError(file, f"not valid YAML: {problem}", line) from None
    except yaml.YAMLError as error:
        raise PackError(file, f"not valid YAML: {error}") from None


def line_of(value: Any) -> int | None:
    return value.get(LINE_KEY) if isinstance(value, Mapping) else None


def without_lines(value: Any) -> Any:
    """The data with the line markers removed (for records handed to code that does not want them)."""
    if isinstance(value, Mapping):
        return {k: without_lines(v) for k, v in value.items() if k != LINE_KEY}
    if isinstance(value, list):
        return [without_lines(v) for v in value]
    return value


def check_keys(
    data: Mapping[str, Any], file: str, allowed: Iterable[str], required: Iterable[str] = (), what: str = "record"
) -> None:
    """Unknown and missing keys of one mapping, as a PackError naming the first one (with the mapping's line)."""
    allowed_set = set(allowed) | set(required) | {LINE_KEY}
    line = line_of(data)
    for key in data:
        if key not in allowed_set:
            known = ", ".join(sorted(allowed_set - {LINE_KEY}))
            raise PackError(file, f'unknown key "{key}" in {what} (known keys: {known})', line)
    for key in required:
        if key not in data or data[key] in (None, ""):
            raise PackError(file, f'{what} needs "{key}"', line)


def _read_folder(folder: Path) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    total = 0
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or any(part.startswith(".") for part in path.relative_to(folder).parts):
            continue
        name = path.relative_to(folder).as_posix()
        size = path.stat().st_size
        total += size
        if size > MAX_FILE_BYTES:
            raise PackError(name, f"is {size:,} bytes; a pack file may be at most {MAX_FILE_BYTES:,}")
        if len(files) >= MAX_FILES or total > MAX_PACK_BYTES:
            raise PackError(str(folder), "is too large to be a pack")
        files[name] = path.read_bytes()
    return files


def _read_zip(path: Path) -> dict[str, bytes]:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        raise PackError(path.name, f"is not a readable zip file ({error})") from None
    with archive:
        members = [m for m in archive.infolist() if not m.is_dir()]
        if len(members) > MAX_FILES or sum(m.file_size for m in members) > MAX_PACK_BYTES:
            raise PackError(path.name, "is too large to be a pack")
        names = [PurePosixPath(m.filename) for m in members]
        # a zip of a folder: strip the folder name when every member sits under the same one holding pack.yaml
        roots = {n.parts[0] for n in names if len(n.parts) > 1}
        strip = len(roots) == 1 and all(len(n.parts) > 1 for n in names)
        files: dict[str, bytes] = {}
        for member, name in zip(members, names, strict=True):
            parts = name.parts[1:] if strip else name.parts
            if name.is_absolute() or ".." in parts:
                raise PackError(path.name, f"holds a file outside the pack ({member.filename})")
            if any(part.startswith(".") or part == "__MACOSX" for part in parts):
                continue
            if member.file_size > MAX_FILE_BYTES:
                limit = f"a pack file may be at most {MAX_FILE_BYTES:,}"
                raise PackError(member.filename, f"is {member.file_size:,} bytes; {limit}")
            try:
                files["/".join(parts)] = archive.read(member)
            except (zipfile.BadZipFile, OSError, RuntimeError) as error:  # RuntimeError: encrypted member
                raise PackError(member.filename, f"could not be read from the zip ({error})") from None
        return files


def read_pack_files(path: Path) -> dict[str, bytes]:
    """Every file of a pack by its path inside the pack, bounded in number and size."""
    if path.is_dir():
        return _read_folder(path)
    if path.is_file() and path.suffix.lower() == ".zip":
        return _read_zip(path)
    if path.is_file() and path.name == MANIFEST:
        return _read_folder(path.parent)
    raise PackError(str(path), "is not a pack (a folder holding pack.yaml, or a .zip of one)")


def content_hash(files: Mapping[str, bytes]) -> str:
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + hashlib.sha256(files[name]).digest())
    return digest.hexdigest()


def _text(files: Mapping[str, bytes], name: str) -> str:
    try:
        return files[name].decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PackError(name, "is not UTF-8 text") from None


def _version_as_written(value: object, text: str) -> str:
    """The version as pack.yaml writes it: YAML reads `version: 1.10` as the number 1.1, which would sort before
    1.9 when a pack is installed over another."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        written = re.search(r"^version:[ \t]*([0-9][0-9.]*)[ \t]*(?:#.*)?\r?$", text, flags=re.M)
        if written:
            return written.group(1)
    return str(value)


def _as_strings(value: Any, file: str, key: str, line: int | None) -> tuple[str, ...]:
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    if not all(isinstance(v, str | int) for v in items):
        raise PackError(file, f'"{key}" must be a word or a list of words', line)
    return tuple(str(v) for v in items)


def _manifest(files: Mapping[str, bytes]) -> PackInfo:
    if MANIFEST not in files:
        raise PackError(MANIFEST, "is missing: a pack is a folder holding pack.yaml")
    text = _text(files, MANIFEST)
    data = parse_yaml(text, MANIFEST)
    if not isinstance(data, dict):
        raise PackError(MANIFEST, "must be a mapping of name, version, ...")
    check_keys(data, MANIFEST, MANIFEST_KEYS, required=("name", "version"), what="pack.yaml")
    line = line_of(data)
    returns = _as_strings(data.get("returns"), MANIFEST, "returns", line)
    unknown = [r for r in returns if r not in RETURNS]
    if unknown:
        raise PackError(MANIFEST, f'unknown return "{unknown[0]}" (one of {", ".join(RETURNS)})', line)
    return PackInfo(
        name=str(data["name"]),
        version=_version_as_written(data["version"], text),
        author=str(data.get("author") or ""),
        description=str(data.get("description") or ""),
        licence=str(data.get("licence") or ""),
        returns=returns,
        years=_as_strings(data.get("years"), MANIFEST, "years", line),
    )


def _records(kind: str, name: str, data: Any) -> list[Record]:
    items = data if isinstance(data, list) else [data]
    records = []
    for item in items:
        if not isinstance(item, dict):
            raise PackError(name, f"each {kind[:-1]} must be a mapping of keys and values")
        records.append(Record(kind, name, line_of(item) or 1, item))
    return records


def load_pack(path: Path) -> Pack:
    """Read a pack's manifest, settings and records (checked for form only; each kind checks its own keys)."""
    files = read_pack_files(path)
    info = _manifest(files)
    records: dict[str, list[Record]] = {kind: [] for kind in RECORD_KINDS}
    for name in sorted(files):
        parts = name.split("/")
        if len(parts) == 2 and parts[0] in RECORD_KINDS and parts[1].endswith((".yaml", ".yml")):
            data = parse_yaml(_text(files, name), name)
            if data is not None:
                records[parts[0]].extend(_records(parts[0], name, data))
    settings = None
    if SETTINGS in files:
        data = parse_yaml(_text(files, SETTINGS), SETTINGS)
        if data is not None:
            if not isinstance(data, dict):
                raise PackError(SETTINGS, "must be a mapping (off:, severity:, accepted:)")
            settings = Record("settings", SETTINGS, line_of(data) or 1, data)
    return Pack(info, str(path), content_hash(files), records, settings, files)
