"""``article-qa doctor``: check that the index is whole and consistent; ``--repair`` fixes it.

What it finds and what ``repair`` does:

* catalog unreadable, damaged or of another schema version -> the catalog and the vectors are
  moved to ``<home>/damaged-<time>/`` and an empty index is left; the source files it listed
  (when they can still be read) are printed so they can be ingested again;
* vector store unreadable (damaged files) -> the store folder is moved aside and every vector
  is rebuilt from the catalog's chunk rows (the catalog holds all their text and metadata);
* index built with another embedder -> every chunk is re-embedded with the configured one;
* half-written (``pending``) articles from an interrupted ingest -> removed from both stores
  (the next ingest adds them again);
* vectors with no catalog chunk -> deleted; catalog chunks with no vector -> re-embedded;
* ready articles whose chunk rows disagree with their count -> removed (ingest them again);
* the keyword index (FTS5 in the catalog) missing chunks, listing gone ones or damaged -> rebuilt
  from the chunk rows.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import shutil
import sqlite3
from pathlib import Path

from qa.settings import Settings
from qa.store import keywords
from qa.store.catalog import Catalog, CatalogError, row_to_chunk
from qa.store.index import Index
from qa.store.vectors import StoreError, forget_local

logger = logging.getLogger(__name__)

REBUILD_BATCH = 512  #: chunks re-embedded per store write when rebuilding


def check(index: Index, repair: bool = False) -> list[str]:
    """Problems found (empty when consistent); with ``repair`` they are fixed as well."""
    problems: list[str] = []
    cat, store = index.catalog, index.store
    recorded, wanted = cat.get_meta("embedder"), index.expected_embedder()
    if recorded and wanted and recorded != wanted:
        problems.append(f"the vectors were made by {recorded}, the configured embedder is {wanted}")
        if not repair:
            return problems
        n = rebuild_vectors(index)
        problems.append(f"re-embedded {n} chunk(s) with {wanted}")
        return problems + check(index, repair=True)
    pending = cat.pending_ids()
    if pending:
        problems.append(f"{len(pending)} article(s) half-written by an interrupted ingest")
    if repair and pending:
        index.remove_pending()
    catalog_ids = cat.chunk_ids()
    store_ids = store.all_ids()
    orphans = sorted(store_ids - catalog_ids)
    missing = sorted(catalog_ids - store_ids)
    if orphans:
        problems.append(f"{len(orphans)} vector(s) in Chroma with no catalog chunk")
    if missing:
        problems.append(f"{len(missing)} catalog chunk(s) with no vector in Chroma")
    bad_counts = cat.query(
        "SELECT a.id FROM articles a LEFT JOIN chunks c ON c.article_id = a.id "
        "WHERE a.state='ready' GROUP BY a.id HAVING COUNT(c.id) != a.n_chunks"
    )
    if bad_counts:
        problems.append(f"{len(bad_counts)} article(s) whose chunk count disagrees")
    keyword_problems = keywords.check(cat)
    problems.extend(keyword_problems)
    if repair and problems:
        if orphans:
            store.delete_ids(orphans)
        if missing:
            n = embed_chunks(index, set(missing))
            problems.append(f"re-embedded {n} chunk(s) from the catalog")
        if keyword_problems:
            n = keywords.rebuild(cat)
            problems.append(f"rebuilt the keyword index ({n} chunk(s))")
        broken = sorted({r[0] for r in bad_counts})
        if broken:
            cat.mark_pending_ids(broken)
            store.delete_articles(broken)
            cat.delete(broken)
            problems.append(
                f"removed {len(broken)} damaged article(s); ingest their files again to restore them"
            )
        index.generation += 1
    return problems


def embed_chunks(index: Index, only: set[str] | None = None) -> int:
    """(Re-)embed catalog chunks of ready articles (all, or the ids in ``only``) into the store."""
    rows = [r for r in index.catalog.iter_chunks() if only is None or r["id"] in only]
    if not rows:
        return 0
    emb = index.embedder
    for i in range(0, len(rows), REBUILD_BATCH):
        chunks = [row_to_chunk(r) for r in rows[i : i + REBUILD_BATCH]]
        index.store.upsert(chunks, emb.embed([c.embed_text for c in chunks]))
    return len(rows)


def rebuild_vectors(index: Index) -> int:
    """Empty the vector store and embed every chunk again with the configured embedder."""
    index.remove_pending()  # half-written articles are not worth rebuilding
    index.store.reset()
    index.catalog.delete_meta("embedder")  # recorded afresh by the first embedding
    n = embed_chunks(index)
    index.generation += 1
    return n


def set_aside(home: Path, names: list[str]) -> Path:
    """Move ``names`` (files/folders under ``home``) to ``home/damaged-<time>/``."""
    dest = home / f"damaged-{dt.datetime.now():%Y%m%d-%H%M%S}"
    dest.mkdir(parents=True, exist_ok=True)
    for name in names:
        src = home / name
        if src.exists():
            forget_local(src)
            shutil.move(str(src), str(dest / name))
    return dest


def salvage_paths(catalog: Path) -> list[str]:
    """Source files a damaged catalog still names (best effort; [] when unreadable)."""
    try:
        db = sqlite3.connect(f"file:{catalog}?mode=ro", uri=True)
        try:
            rows = db.execute("SELECT DISTINCT path FROM articles").fetchall()
        finally:
            db.close()
    except sqlite3.Error:
        return []
    return sorted({re.sub(r":(?:row|line|item) \d+$", "", str(r[0])) for r in rows if r[0]})


def run(settings: Settings, repair: bool = False, out: list[str] | None = None) -> int:
    """The ``doctor`` command: 0 when consistent (or repaired), 1 when problems remain,
    2 when the index cannot be opened at all (e.g. the Chroma server is down)."""
    lines = out if out is not None else []
    home = Path(settings.home)
    catalog = home / "catalog.sqlite3"
    try:
        Catalog(catalog).close()
    except CatalogError as exc:
        lines.append(f"catalog: {exc}")
        if not repair:
            return 1
        files = salvage_paths(catalog)
        names = ["catalog.sqlite3", "catalog.sqlite3-wal", "catalog.sqlite3-shm"]
        if not settings.chroma_url:
            names.append("chroma")
        dest = set_aside(home, names)
        lines.append(f"moved the damaged index to {dest}; an empty index is in its place")
        if settings.chroma_url:
            lines.append(f"the vectors on {settings.chroma_url} (collection {settings.collection}) "
                         "are now stray: this repair clears them")
        if files:
            lines.append("ingest these files again: " + " ".join(files))
        else:
            lines.append("ingest your files again")
    try:
        index = Index(settings, verify=False)
    except StoreError as exc:
        lines.append(f"vectors: {exc}")
        if settings.chroma_url or not repair:
            return 2 if settings.chroma_url else 1
        dest = set_aside(home, ["chroma"])
        lines.append(f"moved the damaged vector store to {dest}; rebuilding it from the catalog")
        index = Index(settings, verify=False)
        n = embed_chunks(index)
        lines.append(f"re-embedded {n} chunk(s) from the catalog")
    try:
        if not index.catalog.counts()["articles"] and not index.catalog.pending_ids():
            stray = index.store.count()
            if stray:
                lines.append(f"{stray} stray vector(s) with an empty catalog")
                if repair:
                    index.store.reset()
                    lines.append("cleared them")
                return 0 if repair else 1
        problems = check(index, repair=repair)
    finally:
        index.close()
    lines.extend(problems)
    if not problems and not lines:
        lines.append("index is consistent")
    return 0 if repair or not problems else 1
