"""The one progress adapter: an ingest-style ``progress(done, total, what)`` callback that draws a
tqdm bar on stderr, for the CLI, the app's background loads and evaluation runs alike."""

from __future__ import annotations

import sys
from typing import Any


class TqdmProgress:
    """``progress(done, total, what)`` -> a tqdm bar, made on the first call and remade when the
    total changes (a second phase); ``close()`` ends it.

    >>> bar = TqdmProgress("ingest", enabled=False)
    >>> bar(1, 3, "a.csv"); bar(3, 3, "b.csv"); bar.close()
    """

    def __init__(self, desc: str, unit: str = "article", enabled: bool = True, width: int = 40) -> None:
        self.desc, self.unit, self.enabled, self.width = desc, unit, enabled, width
        self.bar: Any = None

    def __call__(self, done: int, total: int, what: str) -> None:
        from tqdm import tqdm

        if self.bar is None or self.bar.total != total:
            self.close()
            self.bar = tqdm(total=total, desc=self.desc, unit=self.unit, file=sys.stderr,
                            disable=not self.enabled, dynamic_ncols=True)
        self.bar.set_postfix_str(what[: self.width], refresh=False)
        self.bar.update(done - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
