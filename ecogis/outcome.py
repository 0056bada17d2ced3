"""The one spelling of a pass/fail outcome in results and JSON: ``passed`` (bool) and ``verdict``
(``"PASS"`` | ``"FAIL"``). Site checks have their own graded verdicts (禁止 > 限制 > 需论证 > 符合, in
:mod:`ecogis.rules`); renderers word both in the report's language."""
from __future__ import annotations

PASS, FAIL = "PASS", "FAIL"


def pass_fail(passed: bool) -> str:
    """``"PASS"`` when ``passed``, else ``"FAIL"``."""
    return PASS if passed else FAIL
