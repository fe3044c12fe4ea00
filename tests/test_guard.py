"""Every `csc` command ends in one line and an exit status, whatever goes wrong; a fault shows its traceback only
when asked (CSC_DEBUG=1)."""

from __future__ import annotations

import pytest

from csctools.cli.guard import DEBUG, guarded


def fault() -> None:
    raise KeyError("a key csctools forgot")


def test_a_fault_is_one_line_and_exit_3(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(DEBUG, raising=False)
    with pytest.raises(SystemExit) as ended:
        guarded(fault)
    assert ended.value.code == 3
    said = capsys.readouterr().err
    assert said == (
        "csc: an unexpected error, a fault in csctools: KeyError: 'a key csctools forgot' (run again with "
        "CSC_DEBUG=1 to see where it happened, and report it)\n"
    )


def test_with_csc_debug_the_fault_is_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DEBUG, "1")
    with pytest.raises(KeyError):
        guarded(fault)


def test_an_interrupt_is_exit_130(capsys: pytest.CaptureFixture[str]) -> None:
    def interrupted() -> None:
        raise KeyboardInterrupt

    with pytest.raises(SystemExit) as ended:
        guarded(interrupted)
    assert ended.value.code == 130 and capsys.readouterr().err == "interrupted\n"
