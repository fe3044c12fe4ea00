"""`csc packs new|check|list|export|install`: local rule packs as folders or zips of YAML and SQL."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Annotated

import typer

from csctools.cli.common import fail, plural

app = typer.Typer(help="Local rule packs: write, check, list, share and install them.", no_args_is_help=True)


@app.command("new")
def new_pack(name: Annotated[Path, typer.Argument(help="Folder of the new pack, e.g. leeds-checks")]) -> None:
    """A commented starter pack with one example rule."""
    from csctools.packs.starter import as_path, create

    try:
        files = create(name)
    except FileExistsError as error:
        fail(str(error))
    for path in files:
        typer.echo(f"wrote {path}")
    typer.echo(f"next: edit {files[1]}, then run: csc packs check {as_path(name)}")


def _checked(text: str, examples: bool = True, path_only: bool = False) -> tuple[object, list[str]]:
    """Load and check a pack (form, SQL for every year, examples, its scenarios, indicators and policies); exit 2
    with one line naming the pack, file, line and rule on the first problem. With `path_only` the text is a path
    (a pack to export or install), never the name of an installed pack."""
    from csctools.packs.check import check_examples
    from csctools.packs.contents import check_records
    from csctools.packs.files import PackError
    from csctools.packs.registry import in_pack, load

    try:
        loaded = load([text], path_only=path_only)[0]
    except PackError as error:
        fail(f"pack {error}")
    try:  # the examples and the other records: errors name the file inside the pack, so the pack is added
        lines = []
        for local in loaded.rules:
            years = sorted(local.info.years)
            span = f"{_label(years[0])} to {_label(years[-1])}" if len(years) > 1 else _label(years[0])
            done = check_examples(local) if examples else []
            kinds = f"; examples behave ({', '.join(done)})" if done else "; no examples"
            where = f"{local.record.file} line {local.record.line}"
            lines.append(f"  {local.code} ({where}): SQL checked against {span}{kinds}")
        lines.extend(check_records(loaded.pack))
    except PackError as error:
        fail(f"pack {in_pack(text, error)}")
    return loaded, lines


def _label(end: int) -> str:
    from csctools.years import CollectionYear

    return CollectionYear(end).label


@app.command("check")
def check_pack(pack: Annotated[str, typer.Argument(help="Pack folder, zip or installed name")]) -> None:
    """Check a pack: its files and keys, each rule's SQL against the tables and columns of every year it applies
    to, code clashes, and that each rule's examples fail and pass as they say. Exit 2 on the first problem."""
    from csctools.packs.files import PackError
    from csctools.packs.registry import LoadedPack, is_python_pack

    try:
        python = is_python_pack(pack)
    except PackError as error:
        fail(f"pack {error}")
    if python:
        _check_python_pack(pack)
        return
    loaded, lines = _checked(pack)
    assert isinstance(loaded, LoadedPack)
    info = loaded.pack.info
    rules = plural(len(loaded.rules), "rule")
    typer.echo(f"{info.name} {info.version} (sha256 {loaded.pack.content_hash[:12]}): {rules}")
    for line in lines:
        typer.echo(line)
    settings = loaded.settings
    if settings.off or settings.severity or settings.accepted:
        changed = plural(len(settings.severity), "severity", "severities")
        accepted = plural(len(settings.accepted), "accepted query", "accepted queries")
        typer.echo(f"  settings: {plural(len(settings.off), 'rule')} off, {changed} changed, {accepted}")
    typer.echo("ok")


def _check_python_pack(name: str) -> None:
    """An installed Python pack: imported, its codes checked for clashes, each rule's examples run as a SQL
    rule's are. Its code itself is checked by the package's own tests."""
    from csctools.packs.check import check_python_examples
    from csctools.packs.files import PackError
    from csctools.packs.python import load, refuse_clashes

    try:
        pack = load(name)
        refuse_clashes(pack, {})
        checked = check_python_examples(pack)
    except PackError as error:
        fail(f"pack {error}")
    typer.echo(
        f"{pack.name} {pack.version} ({pack.source}, sha256 {pack.content_hash()[:12]}): "
        f"{plural(len(checked), 'rule')} in Python"
    )
    for code, done in checked:
        kinds = f"examples behave ({', '.join(done)})" if done else "no examples"
        typer.echo(f"  {code}: {kinds}")
    typer.echo("ok (the Python code itself is checked by the package's own tests)")


@app.command("list")
def list_packs() -> None:
    """The built-in DfE packs, every installed pack with versions and content hashes, and installed Python packs."""
    from csctools.packs.files import PackError, load_pack
    from csctools.packs.python import installed as python_packs
    from csctools.packs.registry import builtin_pack, data_folder, installed
    from csctools.validate.registry import BUILTIN
    from csctools.validate.run import load_rules

    for dataset in ("ssda903", "cin"):
        load_rules(dataset)
        used = builtin_pack(dataset)
        count = len(BUILTIN.rules(dataset))
        typer.echo(f"{used.name}\t{used.version}\tbuilt in\t{count} DfE rules\tsha256 {used.content_hash[:12]}")
    for path in installed():
        try:
            pack = load_pack(path)
        except PackError as error:
            typer.echo(f"{path.stem}\t?\tinstalled\tcannot be read: {error}\t{path}")
            continue
        rules = len(pack.of_kind("rules"))
        typer.echo(
            f"{pack.info.name}\t{pack.info.version}\tinstalled\t{plural(rules, 'rule')}\tsha256 "
            f"{pack.content_hash[:12]}\t{path}"
        )
    if not installed():
        typer.echo(f"(no packs installed in {data_folder()})")
    for name, entry in sorted(python_packs().items()):  # listed from the packages' metadata, not imported
        package = f"{entry.dist.name} {entry.dist.version}" if entry.dist else entry.value
        typer.echo(
            f"{name}\t{entry.dist.version if entry.dist else '?'}\tPython package {package}\t"
            f"rules in Python, loaded only by --pack {name}\t{entry.value}"
        )


def _zip_bytes(files: dict[str, bytes], root: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(f"{root}/{name}", date_time=(2020, 1, 1, 0, 0, 0))  # same bytes for same files
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, files[name])
    return buffer.getvalue()


@app.command("export")
def export_pack(
    pack: Annotated[str, typer.Argument(help="Pack folder")],
    output: Annotated[Path, typer.Option("--output", "-o", help="The .zip to write")],
) -> None:
    """Check a pack, then write it as one .zip to hand to another authority."""
    from csctools.packs.registry import LoadedPack

    if output.suffix.lower() != ".zip":
        fail(f"{output}: the pack is written as a .zip")
    loaded, _ = _checked(pack, path_only=True)
    assert isinstance(loaded, LoadedPack)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(_zip_bytes(dict(loaded.pack.files), loaded.pack.info.name))
    typer.echo(f"{output}: {loaded.pack.info.name} {loaded.pack.info.version} (sha256 {loaded.pack.content_hash[:12]})")


def _version_parts(version: str) -> tuple[int, ...] | None:
    """1.2.0 -> (1, 2), trailing zeros dropped; None for a version that is not numbers and dots (2026-spring)."""
    parts = version.strip().lstrip("vV").split(".")
    if not all(part.isdigit() for part in parts):
        return None
    numbers = [int(part) for part in parts]
    while numbers and numbers[-1] == 0:
        numbers.pop()
    return tuple(numbers)


def is_older(new: str, installed: str) -> bool:
    """The new version is older than the installed one (both numbers and dots; otherwise they cannot be told)."""
    new_parts, installed_parts = _version_parts(new), _version_parts(installed)
    return new_parts is not None and installed_parts is not None and new_parts < installed_parts


@app.command("install")
def install_pack(
    file: Annotated[Path, typer.Argument(help="A pack .zip (or folder)")],
    replace: Annotated[bool, typer.Option("--replace", help="Replace an installed pack of the same name")] = False,
    downgrade: Annotated[
        bool, typer.Option("--downgrade", help="With --replace: allow an older version than the installed one")
    ] = False,
) -> None:
    """Check a pack and install it in your data folder, so `--pack NAME` finds it. Refuses a pack whose name (unless
    --replace: a new version of it) or rule codes clash with an installed one, and an older version than the
    installed one unless --downgrade is given too."""
    from csctools.packs.files import PackError, load_pack
    from csctools.packs.registry import LoadedPack, data_folder, installed
    from csctools.packs.rules import parse_rules

    loaded, _ = _checked(str(file), path_only=True)
    assert isinstance(loaded, LoadedPack)
    name, version = loaded.pack.info.name, loaded.pack.info.version
    codes = {r.code.upper() for r in loaded.rules}
    replaced: list[tuple[Path, str]] = []
    for path in installed():
        try:
            other = load_pack(path)
            other_codes = {r.code.upper() for r in parse_rules(other)}
        except PackError:
            continue
        if other.info.name == name:
            if not replace:
                fail(
                    f"a pack named {name} is installed already ({path}, version {other.info.version}); "
                    "install with --replace to put this one in its place"
                )
            if is_older(version, other.info.version) and not downgrade:
                fail(
                    f"{name} {version} is older than the installed {name} {other.info.version} ({path}); "
                    "install with --replace --downgrade to go back to it"
                )
            replaced.append((path, other.info.version))
            continue
        clash = sorted(codes & other_codes)
        if clash:
            fail(f"rule {clash[0]} of {name} clashes with the installed pack {other.info.name} ({path})")
    target = data_folder() / f"{name}.zip"
    target.parent.mkdir(parents=True, exist_ok=True)
    for path, _ in replaced:  # the installed pack of that name (under another file name, if it was renamed)
        if path != target:
            path.unlink()
    target.write_bytes(_zip_bytes(dict(loaded.pack.files), name))
    if replaced:
        before = replaced[0][1]
        older = "the older " if is_older(version, before) else "the same version " if version == before else ""
        done = f"replaced {name} {before} with {older}{version}"
    else:
        done = f"installed {name} {version}"
    typer.echo(f"{done} in {target}; use it with: csc validate ... --pack {name}")
