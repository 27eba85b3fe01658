"""``python app.py`` (or ``article-qa serve``): open the index once, seed the demo corpus on an empty
index and serve the chat (``ui``) on http://127.0.0.1:7860; ``--help`` lists the options."""

from __future__ import annotations

import argparse
import ipaddress
import logging
import os
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qa.progress import TqdmProgress
from ui.jobs import DemoLoader, IngestGate
from ui.layout import AppConfig, build_app, gradio_env, launch

if TYPE_CHECKING:
    from qa.api import ArticleQA

__all__ = ["AppConfig", "build_app", "build_parser", "is_loopback", "launch", "main", "parse_auth",
           "parse_size"]

logger = logging.getLogger(__name__)


def parse_auth(value: str | None) -> tuple[str, str] | None:
    """``user:pass`` -> (user, pass); None for no auth; ValueError when malformed."""
    if value is None or not value.strip():
        return None
    user, sep, password = value.partition(":")
    if not sep or not user.strip() or not password:
        raise ValueError("auth must look like user:password")
    return user.strip(), password


def is_loopback(host: str) -> bool:
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def parse_size(value: str) -> int:
    """``25mb`` / ``500kb`` / ``1gb`` / ``1048576`` -> bytes."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmg]?)b?\s*", value.lower())
    if not m:
        raise argparse.ArgumentTypeError(f"not a size: {value!r} (e.g. 25mb)")
    return int(float(m[1]) * {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}[m[2]])


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="article-qa serve",
        description="Serve the Article QA chat (Gradio) over the index in --home.",
        epilog="Environment: ARTICLE_QA_HOME, ARTICLE_QA_AUTH=user:pass, ARTICLE_QA_NO_DEMO=1, "
        "and every ARTICLE_QA_* setting.",
    )
    p.add_argument("--host", default="127.0.0.1",
                   help="interface to bind (default 127.0.0.1; others need --auth)")
    p.add_argument("--port", type=int, default=int(os.environ.get("ARTICLE_QA_PORT", "7860")),
                   help="port (default 7860)")
    p.add_argument("--home", help="index folder (default: $ARTICLE_QA_HOME or ~/.article-qa)")
    p.add_argument("--auth", help="basic auth as user:password (or env ARTICLE_QA_AUTH)")
    p.add_argument("--insecure-no-auth", action="store_true",
                   help="allow a non-loopback --host without auth")
    p.add_argument("--no-demo", action="store_true",
                   help="do not load the demo corpus into an empty index "
                   "(env ARTICLE_QA_NO_DEMO=1)")
    p.add_argument("--max-file-size", type=parse_size, default=parse_size("25mb"),
                   help="largest upload accepted (default 25mb)")
    p.add_argument("--concurrency", type=int, default=2,
                   help="questions answered at the same time (default 2)")
    p.add_argument("-v", "--verbose", action="count", default=0)
    return p


def _background_writer(bot: ArticleQA, settings: Any) -> ArticleQA | None:
    """A second handle on the index with its own copy of the model for the background load,
    when the model is the torch one (its lock would make questions wait for whole ingest
    batches; the ONNX embedders take no lock and run a question on the asking thread)."""
    from qa.embed.minilm import MiniLMEmbedder

    if not isinstance(bot.index.embedder, MiniLMEmbedder):
        return None
    from qa.api import ArticleQA

    return ArticleQA(settings=settings,
                     embedder=MiniLMEmbedder(batch_size=settings.embed_batch_size))


def _quiet_logging(verbose: int) -> None:
    if not logging.getLogger().handlers:
        level = [logging.INFO, logging.DEBUG][min(verbose, 1)]
        logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
        for noisy in ("httpx", "chromadb", "sentence_transformers", "urllib3", "gradio"):
            logging.getLogger(noisy).setLevel(logging.WARNING)
        if not verbose:  # per-record skips are counted in the app's collection panel
            logging.getLogger("ingest").setLevel(logging.ERROR)


def _seed_demo(bot: ArticleQA, loader: DemoLoader, settings: Any) -> None:
    """Load news100 now on a never-seeded empty index and the full corpus in the background."""
    try:
        if loader.stage_done() is None and not bot.index.catalog.counts()["articles"]:
            print("First start: loading 100 demo news articles (about a minute)...",
                  file=sys.stderr)
        if loader.load_first(progress=TqdmProgress("demo news100")):
            loader.writer = _background_writer(bot, settings) or bot
            loader.start_background()
    except Exception as exc:
        logger.exception("could not load the demo corpus")
        print(f"warning: demo corpus not loaded ({exc}); add articles in the app.",
              file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    """Parse args, open the index once, seed the demo corpus if needed, serve."""
    gradio_env()
    if argv and argv[0] == "--":  # `article-qa serve -- --port 8000`
        argv = argv[1:]
    args = build_parser().parse_args(argv)
    _quiet_logging(args.verbose)
    try:
        auth = parse_auth(args.auth if args.auth is not None else os.environ.get("ARTICLE_QA_AUTH"))
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not is_loopback(args.host) and auth is None and not args.insecure_no_auth:
        print(
            f"error: refusing to serve on {args.host} without a password. Use --auth user:pass "
            "(or ARTICLE_QA_AUTH), bind 127.0.0.1, or pass --insecure-no-auth.",
            file=sys.stderr,
        )
        return 2

    from qa.api import ArticleQA
    from qa.settings import Settings

    settings = Settings.from_env(home=args.home)
    bot = ArticleQA(settings=settings)
    gate = IngestGate()
    loader = DemoLoader(bot, gate)
    no_demo = args.no_demo or os.environ.get("ARTICLE_QA_NO_DEMO", "").strip().lower() in (
        "1", "true", "yes", "on")
    if not no_demo:
        _seed_demo(bot, loader, settings)
    config = AppConfig(upload_dir=Path(settings.home) / "uploads",
                       max_file_bytes=args.max_file_size, concurrency=max(1, args.concurrency))
    demo = build_app(bot, config, loader=loader, gate=gate)
    took = bot.warm_up()  # the first answer loads nothing: it is as fast as the next ones
    print("ready (" + ", ".join(f"{k} {v:.1f} s" for k, v in took.items()) + f"): Article QA on "
          f"http://{args.host}:{args.port} (index: {settings.home})", file=sys.stderr)
    try:
        launch(demo, args.host, args.port, auth, config, block=True)
    finally:
        bot.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
