"""`csc rules explain CODE` prints the rule's guidance, and says when it comes from the DfE message."""

from __future__ import annotations

from typer.testing import CliRunner

from csctools.cli.main import app

runner = CliRunner()


def test_explain_prints_hand_written_cin_guidance() -> None:
    result = runner.invoke(app, ["rules", "explain", "8815"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "guidance:" in lines
    assert (
        "  meaning: The child has more than one open CIN episode (no closure date) that is not a referral with no "
        "further action." in lines
    )
    assert any(line.startswith("  common causes: An older episode never closed") for line in lines)
    assert any(line.startswith("  what to check: The child's episodes in date order") for line in lines)
    assert "(from the DfE message)" not in result.output


def test_explain_marks_guidance_built_from_the_message() -> None:
    result = runner.invoke(app, ["rules", "explain", "8950Q"])
    assert result.exit_code == 0, result.output
    assert "guidance (from the DfE message):" in result.output
    assert "  common causes: none recorded" in result.output
    assert "  what to check: Check AssessmentFactors on the flagged rows (Assessments)." in result.output


def test_explain_prints_903_guidance() -> None:
    result = runner.invoke(app, ["rules", "explain", "142", "--return", "903"])
    assert result.exit_code == 0, result.output
    assert "  meaning: A later episode starts, but this one has no end date." in result.output
