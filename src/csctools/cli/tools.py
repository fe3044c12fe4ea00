"""`csc tools`: every tool csctools has and every installed pack, each with a purpose and an example."""

from __future__ import annotations

from typing import Annotated

import typer


def tools_command(
    markdown: Annotated[bool, typer.Option("--markdown", help="Print docs/tools.md instead")] = False,
) -> None:
    """Every tool csctools has, and every installed pack, with a one-line purpose and a runnable example."""
    from csctools.tools import TOOLS
    from csctools.tools import markdown as as_markdown

    if markdown:
        typer.echo(as_markdown(), nl=False)
        return
    for tool in TOOLS:
        typer.echo(f"{tool.command}\n  {tool.purpose}\n  e.g. {tool.example}")
    from csctools.packs.files import PackError, load_pack
    from csctools.packs.registry import data_folder, installed

    paths = installed()
    typer.echo(f"\ninstalled packs ({data_folder()}):" if paths else f"\nno packs installed in {data_folder()}")
    for path in paths:
        try:
            pack = load_pack(path)
        except PackError as error:
            typer.echo(f"{path.stem}\n  cannot be read: {error}")
            continue
        first = pack.info.returns[0] if pack.info.returns else "ssda903"
        kind = "903" if first == "ssda903" else first
        typer.echo(
            f"{pack.info.name} {pack.info.version}\n  {pack.info.description or 'local rules'}"
            f"\n  e.g. csc validate {kind} synthetic/383/2025_26/{first} --pack {pack.info.name}"
        )
