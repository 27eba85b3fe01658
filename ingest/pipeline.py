"""Ingest: files -> parsed articles -> chunks -> vectors (Chroma) + catalog rows.

Idempotent and resumable: stable ids from content, unchanged articles are skipped before any
embedding, and every write group goes pending -> Chroma -> ready, so a killed run leaves only
pending rows that the next run removes from both stores and re-ingests.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from ingest.chunker import chunk_article
from ingest.parsers import Skip, discover, parse_file
from ingest.parsers.common import REPAIRED_QUOTES
from qa.embed.base import token_counter
from qa.store.index import Index
from qa.types import Article, Chunk, IngestReport

logger = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]  #: (done, total, what)
GROUP_CHUNKS = 256  #: chunks embedded and written per consistent step


def ingest_paths(
    index: Index,
    paths: Iterable[str | Path],
    prune: bool = False,
    progress: Progress | None = None,
) -> IngestReport:
    files, skips = discover(paths)
    return ingest_files(index, files, skips, prune=prune, progress=progress)


def ingest_files(
    index: Index,
    files: Sequence[Path],
    skips: Sequence[Skip] = (),
    prune: bool = False,
    progress: Progress | None = None,
) -> IngestReport:
    t0 = time.perf_counter()
    report = IngestReport()
    report.repaired = index.remove_pending()
    cat = index.catalog
    for s in skips:
        _skip(index, report, s)

    with index.loading():  # counts are not final until the end: collection answers say so
        # 1. parse everything (fast), deciding per article what has to be embedded
        existing = cat.states()
        seen_ids: dict[str, str] = {}
        seen_bodies: dict[str, str] = {}
        todo: list[Article] = []
        updated: set[str] = set()
        for n, f in enumerate(files, start=1):
            if progress:
                progress(n - 1, len(files), f"parsing {f.name}")
            cat.clear_log(str(f))
            for k, item in enumerate(parse_file(f, max_bytes=index.settings.max_file_bytes)):
                if progress and k and k % 500 == 0:
                    progress(n - 1, len(files), f"parsing {f.name} (record {k})")
                if isinstance(item, Skip):
                    _skip(index, report, item)
                    continue
                art = item
                if art.id in seen_ids:
                    _duplicate(index, report, art.path, art.id)
                    continue
                seen_ids[art.id] = art.path
                state = existing.get(art.id)
                if state and state[0] == "ready" and state[1] == art.content_hash:
                    report.unchanged.append(art.id)
                    seen_bodies.setdefault(art.body_hash, art.id)
                    continue
                owner = seen_bodies.get(art.body_hash) or cat.body_owner(art.body_hash)
                if owner and owner != art.id:
                    _duplicate(index, report, art.path, owner)
                    continue
                seen_bodies[art.body_hash] = art.id
                if state:
                    updated.add(art.id)
                todo.append(art)

        # 2. chunk, embed and write in consistent groups
        index.expect(cat.counts()["articles"] + len(todo) - len(updated))
        _embed_and_write(index, todo, updated, report, progress)

    # 3. prune articles whose files are gone, or whose rows vanished from a re-read file
    if prune:
        read_files = {str(f) for f in files}
        gone = []
        for art_id, path in cat.paths().items():
            file_part = re.sub(r":(?:row|line|item) \d+$", "", path)
            if not Path(file_part).exists() or (file_part in read_files and art_id not in seen_ids):
                gone.append(art_id)
        if gone:  # pending first: a run killed in between is finished by the next repair
            cat.mark_pending_ids(gone)
            index.store.delete_articles(gone)
            cat.delete(gone)
            index.generation += 1
        report.pruned = gone
    report.seconds = time.perf_counter() - t0
    logger.info("ingest: %s", report.summary())
    return report


def _embed_and_write(index: Index, todo: list[Article], updated: set[str], report: IngestReport,
                     progress: Progress | None) -> None:
    count = token_counter().count_many
    total_articles = len(todo)
    done = 0
    group: list[tuple[Article, list[Chunk]]] = []
    group_size = 0
    for art in todo:
        chunks = chunk_article(art, count, index.settings.chunk_tokens)
        group.append((art, chunks))
        group_size += len(chunks)
        if group_size >= GROUP_CHUNKS:
            _write(index, group, updated, report)
            done += len(group)
            group, group_size = [], 0
            if progress:
                progress(done, total_articles, "embedding")
    if group:
        _write(index, group, updated, report)
        done += len(group)
        if progress:
            progress(done, total_articles, "embedding")


def _write(
    index: Index, group: list[tuple[Article, list[Chunk]]], updated: set[str], report: IngestReport
) -> None:
    articles = [a for a, _ in group]
    chunks = [c for _, cs in group for c in cs]
    vectors = index.embedder.embed([c.embed_text for c in chunks])
    index.catalog.mark_pending(articles)
    old = [a.id for a in articles if a.id in updated]
    if old:
        index.store.delete_articles(old)
    index.store.upsert(chunks, vectors)
    index.catalog.mark_ready({a.id: cs for a, cs in group})
    index.generation += 1
    for a in articles:
        (report.updated if a.id in updated else report.added).append(a.id)
        report.repaired_quotes += int(a.extra.get(REPAIRED_QUOTES, 0))
    report.chunks_added += len(chunks)


def _skip(index: Index, report: IngestReport, s: Skip) -> None:
    logger.warning("skipped %s: %s", s.where, s.reason)
    report.skipped.append((s.where, s.reason))
    index.catalog.log(s.where, "skipped", s.reason)


def _duplicate(index: Index, report: IngestReport, where: str, owner: str) -> None:
    logger.info("duplicate %s: same article as %s", where, owner)
    report.duplicates.append((where, owner))
    index.catalog.log(where, "duplicate", owner)
