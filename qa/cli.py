"""``article-qa``: one command group (ingest | ask | stats | doctor | models, plus the commands other
packages register: ``serve`` from the app, ``eval`` from the evaluation suite).

Registered commands are ``article_qa.commands`` entry points naming a ``main(argv) -> int`` that
parses its own options; the core never imports its callers. The shared options (``--home``,
``--chroma-url``, ``-v``) work before or after any command.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Callable
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from typing import Any

from qa.progress import TqdmProgress
from qa.settings import Settings

logger = logging.getLogger("article_qa")


def _settings(args: argparse.Namespace) -> Settings:
    return Settings.from_env(home=args.home, chroma_url=getattr(args, "chroma_url", None))


def cmd_ingest(args: argparse.Namespace) -> int:
    from qa.api import ArticleQA

    if not args.paths and not args.demo:
        print("nothing to ingest: give files/folders or --demo news100|news", file=sys.stderr)
        return 2
    bot = ArticleQA(settings=_settings(args))
    progress = None if args.quiet else TqdmProgress("ingest")
    reports = []
    if args.demo:
        reports.append(bot.ingest_demo(args.demo, progress=progress))
    if args.paths:
        reports.append(bot.ingest(args.paths, prune=args.prune, progress=progress))
    if progress:
        progress.close()
    ok = False
    for rep in reports:
        for where, reason in rep.skipped:
            print(f"skipped {where}: {reason}", file=sys.stderr)
        if args.json:
            print(json.dumps(rep.to_dict(), indent=2))
        else:
            print(rep.summary())
        ok = ok or rep.ok
    return 0 if ok else 1


def cmd_stats(args: argparse.Namespace) -> int:
    from qa.api import ArticleQA

    st = ArticleQA(settings=_settings(args)).stats()
    if args.json:
        print(json.dumps(st, indent=2))
        return 0
    print(f"index     {st['home']} (vectors: {st['store']})")
    print(f"articles  {st['articles']}  chunks {st['chunks']}  vectors {st['vectors']}")
    print(f"dates     {st['date_from']} .. {st['date_to']}")
    print(f"skipped   {st['skipped']} records  duplicates {st['duplicates']}  pending {st['pending']}")
    print("sources   " + ", ".join(f"{k} ({v})" for k, v in st["sources"].items()))
    return 0


def cmd_ask(args: argparse.Namespace) -> int:
    from qa.answer.render import render_text
    from qa.api import ArticleQA

    bot = ArticleQA(settings=_settings(args))
    options = {k: v for k, v in (("mode", args.mode), ("answerer", args.answerer)) if v}
    answer = bot.ask(" ".join(args.question), **options)
    if args.json:
        print(json.dumps(answer.to_dict(), indent=2, ensure_ascii=False))
    else:
        print(render_text(answer))
    return 0


def cmd_models(args: argparse.Namespace) -> int:
    from qa.llm.install import main as models_main

    return int(models_main(args.rest) or 0)


def cmd_doctor(args: argparse.Namespace) -> int:
    from qa.store.doctor import run

    lines: list[str] = []
    try:
        return run(_settings(args), repair=args.repair, out=lines)
    finally:
        for line in lines:
            print(line)


COMMANDS_GROUP = "article_qa.commands"  #: entry points: name -> ``main(argv) -> int``
#: help lines of commands registered by other packages (loading them would import the app)
REGISTERED_HELP = {
    "serve": "start the chat app (see `article-qa serve --help`)",
    "eval": "run an accuracy evaluation (see `article-qa eval --help`)",
}
#: commands with their own option parsers: everything after the command name is theirs
OWN_PARSER = ("models",)
SHARED_WITH_VALUE = ("--home", "--chroma-url")  #: shared options that take a value


def registered_commands() -> dict[str, EntryPoint]:
    """Commands other packages add (``[project.entry-points."article_qa.commands"]``)."""
    return {ep.name: ep for ep in entry_points(group=COMMANDS_GROUP)}


def _shared_options(parser: argparse.ArgumentParser, default: Any) -> None:
    """--home, --chroma-url and -v; on subcommands their default is SUPPRESS, so a value given
    before the command is not overwritten by the subcommand's default."""
    parser.add_argument("--home", default=default,
                        help="index folder (default: $ARTICLE_QA_HOME or ~/.article-qa)")
    parser.add_argument("--chroma-url", default=default,
                        help="use a Chroma server (http://host:port) for the vectors")
    parser.add_argument("-v", "--verbose", action="count", default=0 if default is None else default,
                        help="more logging (-vv: debug)")


def _command_position(argv: list[str], passthrough: set[str]) -> int | None:
    """Index of the command in argv when it parses its own options (shared ones may precede it)."""
    i = 0
    while i < len(argv):
        a = argv[i]
        if a in SHARED_WITH_VALUE:
            i += 2
            continue
        if a.startswith("-"):
            i += 1
            continue
        return i if a in passthrough else None
    return None


def build_parser(registered: dict[str, EntryPoint] | None = None) -> argparse.ArgumentParser:
    registered = registered_commands() if registered is None else registered
    p = argparse.ArgumentParser(
        prog="article-qa",
        description="Ask questions about a collection of news articles, offline, with cited answers.",
        epilog="Settings can also come from ARTICLE_QA_* environment variables "
        "(e.g. ARTICLE_QA_HOME). --home, --chroma-url and -v work before or after the command.",
    )
    _shared_options(p, None)
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help_text: str, func: Callable[[argparse.Namespace], int],
                **kw: Any) -> argparse.ArgumentParser:
        s = sub.add_parser(name, help=help_text, **kw)
        if kw.get("add_help", True):
            _shared_options(s, argparse.SUPPRESS)
        s.set_defaults(func=func)
        return s

    s = command("ingest", "add article files or folders (txt, md, csv, tsv, jsonl, json)", cmd_ingest)
    s.add_argument("paths", nargs="*", help="files or folders (recursive)")
    s.add_argument("--demo", choices=["news100", "news"], help="ingest the demo news corpus")
    s.add_argument("--prune", action="store_true", help="remove articles whose files are gone")
    s.add_argument("--json", action="store_true", help="print the report as JSON")
    s.add_argument("-q", "--quiet", action="store_true", help="no progress bar")

    s = command("ask", "ask one question; prints the answer and numbered sources", cmd_ask)
    s.add_argument("question", nargs="+")
    s.add_argument("--json", action="store_true", help="print the Answer as JSON")
    s.add_argument("--mode", choices=["fast", "accurate"], help="reader mode")
    s.add_argument("--answerer", choices=["extractive", "llm"], help="who writes the answer")

    s = command("stats", "what the index holds", cmd_stats)
    s.add_argument("--json", action="store_true")

    s = command("doctor", "check that catalog and vectors agree; --repair fixes", cmd_doctor)
    s.add_argument("--repair", action="store_true")

    s = command("models", "install / list local LLM weights (see `article-qa models --help`)",
                cmd_models, add_help=False)
    s.add_argument("rest", nargs=argparse.REMAINDER)

    for name, ep in sorted(registered.items()):
        s = command(name, REGISTERED_HELP.get(name, f"(from {ep.value})"), _run_registered(ep),
                    add_help=False)
        s.add_argument("rest", nargs=argparse.REMAINDER)
    return p


def _run_registered(ep: EntryPoint) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        return int(ep.load()(args.rest) or 0)

    return run


def _hand_over_shared(args: argparse.Namespace) -> None:
    """Shared options given before a command with its own parser reach it through the
    environment (after the command they are its own: `eval --home` and `serve --home` take them)."""
    if args.home:
        os.environ["ARTICLE_QA_HOME"] = str(Path(args.home).expanduser())
    if args.chroma_url:
        os.environ["ARTICLE_QA_CHROMA_URL"] = args.chroma_url


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    registered = registered_commands()
    parser = build_parser(registered)
    argv = list(sys.argv[1:] if argv is None else argv)
    passthrough = _command_position(argv, {*registered, *OWN_PARSER})
    if passthrough is not None:
        # serve / eval / models parse their own options: hand them everything after the command
        args = parser.parse_args(argv[:passthrough + 1])
        args.rest = argv[passthrough + 1:]
        _hand_over_shared(args)
    else:
        args = parser.parse_args(argv)
    level = [logging.WARNING, logging.INFO, logging.DEBUG][min(args.verbose, 2)]
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    for noisy in ("httpx", "chromadb", "sentence_transformers", "urllib3"):
        logging.getLogger(noisy).setLevel(max(level, logging.WARNING))
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        from qa.store.catalog import CatalogError
        from qa.store.vectors import StoreError

        if isinstance(exc, CatalogError | StoreError):
            print(f"error: {exc}", file=sys.stderr)
            return 2
        raise


if __name__ == "__main__":
    sys.exit(main())
