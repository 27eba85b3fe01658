"""Gold sets -> the public qa API -> metrics -> report.

>>> from eval import run_suite, write_report                      # doctest: +SKIP
>>> result = run_suite("squad2", limit=50, systems=("system", "bm25"))  # doctest: +SKIP
>>> result.summary("system")["recall@5"]                          # doctest: +SKIP
>>> write_report(result, Path("out"))                             # doctest: +SKIP
"""

from eval.compare import Comparison, compare
from eval.report import write_report
from eval.results import QuestionResult, SuiteResult
from eval.runner import EvalError, RunConfig, run, run_suite
from eval.suites import GoldItem, Suite, SuiteError

__all__ = [
    "Comparison", "EvalError", "GoldItem", "QuestionResult", "RunConfig", "Suite", "SuiteError",
    "SuiteResult", "compare", "run", "run_suite", "write_report",
]
