"""Every command has --help with at least one example."""

from __future__ import annotations

import pytest

from repro.cli import COMMANDS, build_parser, main

SHIPPED = sorted(build_parser()._subparsers._group_actions[0].choices)


def test_owned_commands_are_shipped():
    assert {"score", "ls", "reproduce", "report", "cka", "doctor", "cache"} <= set(SHIPPED)
    assert set(SHIPPED) <= set(COMMANDS)


@pytest.mark.parametrize("command", SHIPPED)
def test_help_has_an_example(command, capsys):
    with pytest.raises(SystemExit) as exc:
        main([command, "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert f"repro {command}" in out
    assert "example" in out.lower()
    example_lines = [line for line in out.splitlines() if line.strip().startswith(f"repro {command}")]
    assert example_lines, f"`repro {command} --help` shows no example command line"


def test_top_level_help(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "-q, --quiet" in out and "--verbose" in out and "example" in out
