"""The README's command table, made from the CLI's own ``--help`` so the two cannot drift apart.

README.md holds a cog block (``cog -r README.md`` rewrites it; ``tests/test_layout.py`` fails when it is
stale) that calls ``command_table()``: one row per command, its synopsis built from its click parameters and
its description from its help text.
"""

from __future__ import annotations

import click

from tracker.cli import cli

# Every command takes these; the README says so once above the table instead of in every row.
COMMON = {"data_dir", "cache_dir", "catalog_dir", "help"}


def _option_synopsis(param: click.Parameter) -> str:
    if isinstance(param, click.Argument):
        text = param.human_readable_name
        if param.nargs == -1:
            return f"{text} ..." if param.required else f"[{text} ...]"
        return text
    assert isinstance(param, click.Option)
    name = max(param.opts, key=len) if not param.secondary_opts else f"{param.opts[0]}/{param.secondary_opts[0]}"
    if param.is_flag:
        return f"[{name}]"
    value = _value_name(param)
    return f"{name} {value}" if param.required else f"[{name} {value}]"


def _value_name(param: click.Option) -> str:
    if isinstance(param.type, click.Choice):
        return "\\|".join(str(c) for c in param.type.choices)
    return param.metavar or param.type.name.upper()


def _synopsis(path: str, command: click.Command) -> str:
    parts = [f"llm-atlas {path}"]
    for param in command.params:
        if param.name in COMMON:
            continue
        parts.append(_option_synopsis(param))
    return " ".join(parts)


def _description(command: click.Command) -> str:
    text = (command.help or "").replace("\b\n", "")
    paragraphs = [" ".join(p.split()) for p in text.split("\n\n") if p.strip()]
    return " ".join(paragraphs).replace("|", "\\|")


def _commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    found: list[tuple[str, click.Command]] = []
    for name in sorted(group.commands, key=list(group.commands).index):
        command = group.commands[name]
        path = f"{prefix}{name}"
        if isinstance(command, click.Group):
            found.extend(_commands(command, f"{path} "))
        else:
            found.append((path, command))
    return found


def command_table() -> str:
    """The Markdown table: ``| `synopsis` | description |`` per command, in the CLI's order."""
    rows = ["| command | does |", "| --- | --- |"]
    for path, command in _commands(cli):
        rows.append(f"| `{_synopsis(path, command)}` | {_description(command)} |")
    return "\n".join(rows)
