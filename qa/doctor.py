"""Consistency checks between the catalog and the vector store (``article-qa doctor``)."""

from __future__ import annotations

import logging

from qa.index import Index

logger = logging.getLogger(__name__)


def check(index: Index, repair: bool = False) -> list[str]:
    """Problems found (empty when consistent); with ``repair`` they are fixed as well."""
    problems: list[str] = []
    cat, store = index.catalog, index.store
    pending = cat.pending_ids()
    if pending:
        problems.append(f"{len(pending)} article(s) half-written by an interrupted ingest")
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
    if repair and problems:
        from ingest.pipeline import repair as repair_pending

        repair_pending(index)
        if orphans:
            store.delete_ids(orphans)
        broken = {r[0] for r in bad_counts}
        if missing:
            broken |= {
                r[0]
                for r in cat.query(
                    "SELECT DISTINCT article_id FROM chunks WHERE id IN ({})".format(
                        ",".join("?" * len(missing[:900]))),
                    missing[:900],
                )
            }
        if broken:
            store.delete_articles(sorted(broken))
            cat.delete(sorted(broken))
            problems.append(
                f"removed {len(broken)} damaged article(s); ingest their files again to restore them"
            )
        index.generation += 1
    return problems
