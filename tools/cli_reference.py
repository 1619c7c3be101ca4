"""Write the CLI reference, docs/cli.md, from the commands' own ``--help`` text.

    python tools/cli_reference.py          # rewrite docs/cli.md
    python tools/cli_reference.py --check  # exit 1 if docs/cli.md is out of date

The reference is generated so it cannot drift from the commands; a test checks it is
current.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from click.testing import CliRunner

from pcxl.cli import main

TARGET = Path(__file__).resolve().parents[1] / "docs" / "cli.md"
WIDTH = 100
"""Characters per line of the help text, whatever the terminal."""


def command_paths(group: click.Group, prefix: list[str]) -> list[list[str]]:
    """Every command under ``group`` (groups too), in the order ``--help`` lists them."""
    out: list[list[str]] = []
    ctx = click.Context(group, info_name=prefix[-1])
    for name in group.list_commands(ctx):
        cmd = group.get_command(ctx, name)
        if cmd is None or cmd.hidden:
            continue
        out.append([*prefix, name])
        if isinstance(cmd, click.Group):
            out += command_paths(cmd, [*prefix, name])
    return out


def help_text(path: list[str]) -> str:
    """What ``<path> --help`` prints, at :data:`WIDTH` characters."""
    result = CliRunner().invoke(
        main, [*path[1:], "--help"], prog_name=path[0], terminal_width=WIDTH
    )
    if result.exit_code != 0:
        raise RuntimeError(f"{' '.join(path)} --help failed: {result.output}")
    return result.output


def reference() -> str:
    """The whole reference as Markdown."""
    lines = [
        "# Command-line reference",
        "",
        "Generated from each command's `--help` by `python tools/cli_reference.py`; do not",
        "edit by hand (a test checks it is current).",
        "",
    ]
    for path in [["pcxl"], *command_paths(main, ["pcxl"])]:
        lines += [f"## `{' '.join(path)}`", "", "```", help_text(path).rstrip(), "```", ""]
    return "\n".join(lines)


def run(argv: list[str]) -> int:
    text = reference()
    if "--check" in argv:
        current = TARGET.read_text(encoding="utf-8") if TARGET.is_file() else ""
        if current != text:
            print("docs/cli.md is out of date: run python tools/cli_reference.py")
            return 1
        print("docs/cli.md is current")
        return 0
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote docs/cli.md ({len(text.splitlines())} lines)")
    return 0


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
