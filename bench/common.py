"""Shared benchmark helpers: machine description, memory, child processes, corpora, results."""

from __future__ import annotations

import json
import logging
import math
import os
import platform
import resource
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

BENCH_DIR = Path(__file__).resolve().parent
RESULTS = BENCH_DIR / "results"
RESULT_TAG = "BENCH_RESULT "


@dataclass(frozen=True)
class Machine:
    """Where a benchmark ran (the figures only mean something next to this)."""

    nproc: int
    ram_gb: float
    cpu: str
    python: str
    load_before: tuple[float, float, float]
    packages: dict[str, str]

    @classmethod
    def describe(cls) -> Machine:
        from importlib.metadata import PackageNotFoundError, version

        packages = {}
        for name in ("torch", "onnxruntime", "sentence-transformers", "chromadb", "langchain-core"):
            try:
                packages[name] = version(name)
            except PackageNotFoundError:
                packages[name] = "-"
        return cls(
            nproc=os.cpu_count() or 0,
            ram_gb=round(_meminfo_kb("MemTotal") / 1024 / 1024, 1),
            cpu=_cpu_model(),
            python=platform.python_version(),
            load_before=os.getloadavg(),
            packages=packages,
        )


def _meminfo_kb(key: str) -> int:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def peak_rss_mb() -> float:
    """Peak resident set size of this process (Linux ``ru_maxrss`` is in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mb() -> float:
    """Current resident set size of this process."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def dir_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1024 / 1024


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100); 0.0 for no values."""
    if not values:
        return 0.0
    s = sorted(values)
    k = max(0, min(len(s) - 1, math.ceil(q / 100 * len(s)) - 1))
    return s[k]


def emit(result: Any) -> None:
    """Child side: print the result as one tagged JSON line on stdout."""
    print(RESULT_TAG + json.dumps(result, default=str), flush=True)


def run_child(module: str, args: list[str], timeout: float = 7200) -> dict[str, Any]:
    """Run ``python -m module args`` in a fresh process (own memory peak); return its result."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
           "ANONYMIZED_TELEMETRY": "False", "TOKENIZERS_PARALLELISM": "false"}
    t = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", module, *args], capture_output=True, text=True,
        cwd=BENCH_DIR.parent, env=env, timeout=timeout, check=False,
    )
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith(RESULT_TAG)]
    if proc.returncode != 0 or not lines:
        tail = "\n".join(proc.stderr.strip().splitlines()[-15:])
        raise RuntimeError(f"{module} {' '.join(args)} failed ({proc.returncode}):\n{tail}")
    result: dict[str, Any] = json.loads(lines[-1][len(RESULT_TAG):])
    result.setdefault("wall_seconds", time.perf_counter() - t)
    return result


def save(name: str, data: dict[str, Any], machine: Machine | None = None) -> Path:
    """Write ``bench/results/<name>.json`` with the machine (described at the start of the run)."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"{name}.json"
    payload = {"benchmark": name, "when": time.strftime("%Y-%m-%d %H:%M:%S"),
               "machine": asdict(machine or Machine.describe()), "load_after": os.getloadavg(), **data}
    out.write_text(json.dumps(payload, indent=2, default=str) + "\n")
    logger.info("wrote %s", out)
    return out


def load(name: str) -> dict[str, Any] | None:
    path = RESULTS / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def demo_path(corpus: str) -> Path:
    """The demo CSV for ``news100`` / ``news`` (fetched into the cache once), or a file path."""
    if Path(corpus).exists():
        return Path(corpus)
    from ingest.demo import demo_csv

    return demo_csv(corpus, demo_cache())


def demo_cache() -> Path:
    """Where the demo CSVs are cached (``ARTICLE_QA_DEMO_CACHE``, default /tmp/tm/cache)."""
    return Path(os.environ.get("ARTICLE_QA_DEMO_CACHE") or "/tmp/tm/cache")


def read_questions(path: Path | None = None) -> list[str]:
    path = path or BENCH_DIR / "questions.txt"
    return [
        ln.strip() for ln in path.read_text(encoding="utf-8").splitlines()
        if ln.strip() and not ln.lstrip().startswith("#")
    ]


def setup_logging(verbose: bool = False) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    for name in ("bench", "__main__"):
        logging.getLogger(name).setLevel(logging.INFO)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
