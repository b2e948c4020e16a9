"""One step of the job, as both the in-process job and the cluster's fan-in run it."""

from typing import Any

from grapevine.job import JobSummary, StepProblem, run_step


def test_a_failing_step_is_recorded_and_the_next_still_runs() -> None:
    ran: list[str] = []

    def ok(settings: Any, engine: Any, summary: JobSummary) -> None:
        ran.append("ok")

    def refused(settings: Any, engine: Any, summary: JobSummary) -> None:
        ran.append("refused")
        raise StepProblem("helpdesk sync: HTTP 404")

    def broken(settings: Any, engine: Any, summary: JobSummary) -> None:
        ran.append("broken")
        raise KeyError("x")

    summary = JobSummary()
    for name, step in (("refused", refused), ("broken", broken), ("ok", ok)):
        run_step(name, step, None, None, summary)  # type: ignore[arg-type]  # steps ignore them

    assert ran == ["refused", "broken", "ok"]
    assert summary.step_errors == {"refused": "helpdesk sync: HTTP 404", "broken": "KeyError: 'x'"}
    assert summary.failed
