"""The article catalog: one SQLite row per article with all its fields, plus its chunks.

It is the structured side of the index (collection questions are answered from it) and the
ledger that keeps Chroma consistent: an article is written as ``pending`` before its vectors
go to Chroma and flipped to ``ready`` (with its chunk rows) after, so a killed ingest leaves
only ``pending`` rows that the next run repairs. All SQL is parameterised.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from qa.lang.dates import date_int, parse_date
from qa.lang.text import content_terms
from qa.types import Article, Caption, Chunk

SCHEMA_VERSION = 1
#: the columns ``row_to_chunk`` reads (chunks ``c`` joined with their articles ``a``)
CHUNK_COLUMNS = ('c.id, c.article_id, c.position, c.start, c."end", c.text, c.header, a.title, '
                 "a.source, a.published, a.authors, a.sections, a.url, a.published_int")
QUICK_CHECK_BYTES = 32 << 20  #: catalogs up to this size get ``PRAGMA quick_check`` at open

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL DEFAULT '',
    subtitle TEXT NOT NULL DEFAULT '',
    body TEXT NOT NULL,
    published TEXT,
    published_int INTEGER NOT NULL DEFAULT 0,
    authors TEXT NOT NULL DEFAULT '[]',
    source TEXT NOT NULL DEFAULT '',
    url TEXT NOT NULL DEFAULT '',
    sections TEXT NOT NULL DEFAULT '[]',
    dateline TEXT NOT NULL DEFAULT '',
    captions TEXT NOT NULL DEFAULT '[]',
    path TEXT NOT NULL DEFAULT '',
    stored TEXT,
    extra TEXT NOT NULL DEFAULT '{}',
    content_hash TEXT NOT NULL,
    body_hash TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'ready')),
    n_chunks INTEGER NOT NULL DEFAULT 0,
    ingested_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS articles_date ON articles(published_int);
CREATE INDEX IF NOT EXISTS articles_source ON articles(source);
CREATE INDEX IF NOT EXISTS articles_body ON articles(body_hash);
CREATE TABLE IF NOT EXISTS article_authors (
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    author TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS authors_by_article ON article_authors(article_id);
CREATE TABLE IF NOT EXISTS article_sections (
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    section TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sections_by_article ON article_sections(article_id);
CREATE TABLE IF NOT EXISTS chunks (
    id TEXT PRIMARY KEY,
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    text TEXT NOT NULL,
    header TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS chunks_by_article ON chunks(article_id, position);
CREATE TABLE IF NOT EXISTS ingest_log (
    "where" TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('skipped', 'duplicate')),
    detail TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY ("where", kind)
);
"""

#: the keyword index (read by qa.store.keywords)
KEYWORD_SCHEMA = """
-- the keyword index: each chunk's content terms (see chunk_terms below) in an FTS5 table ranked
-- by bm25(); written in the same transactions as the chunk rows, and the triggers keep the FTS5
-- index equal to chunk_terms. Read by qa.store.keywords.
CREATE TABLE IF NOT EXISTS chunk_terms (
    rowid INTEGER PRIMARY KEY,
    chunk_id TEXT NOT NULL UNIQUE,
    article_id TEXT NOT NULL,
    terms TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chunk_terms_by_article ON chunk_terms(article_id);
CREATE VIRTUAL TABLE IF NOT EXISTS chunk_fts USING fts5(
    terms, content='chunk_terms', content_rowid='rowid',
    tokenize="unicode61 remove_diacritics 0 tokenchars '''.-'"
);
CREATE VIRTUAL TABLE IF NOT EXISTS chunk_vocab USING fts5vocab(chunk_fts, 'row');
CREATE TRIGGER IF NOT EXISTS chunk_terms_added AFTER INSERT ON chunk_terms BEGIN
    INSERT INTO chunk_fts(rowid, terms) VALUES (new.rowid, new.terms);
END;
CREATE TRIGGER IF NOT EXISTS chunk_terms_removed AFTER DELETE ON chunk_terms BEGIN
    INSERT INTO chunk_fts(chunk_fts, rowid, terms) VALUES ('delete', old.rowid, old.terms);
END;
"""
KEYWORD_OBJECTS = (("TRIGGER", "chunk_terms_added"), ("TRIGGER", "chunk_terms_removed"), ("TABLE", "chunk_vocab"),
                   ("TABLE", "chunk_fts"), ("TABLE", "chunk_terms"))


def chunk_terms(chunk: Chunk) -> str:
    """The keyword index's text for a chunk: its content terms (stemmed, no stopwords), spaced."""
    return " ".join(content_terms(chunk.header + "\n" + chunk.text))


class CatalogError(RuntimeError):
    """The catalog is missing, damaged or from another version; the message says what to do."""


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def describe_error(exc: BaseException, path: Path, doing: str = "use") -> str:
    """A message for an SQLite failure on ``path`` that says what happened and what to do."""
    text = str(exc)
    low = text.lower()
    home = path.parent
    if "disk is full" in low or "no space" in low:
        return (
            f"cannot {doing} the catalog {path}: the disk is full ({free_space(home)} free there). "
            "Free some space and run the same command again: an interrupted ingest resumes "
            "where it stopped."
        )
    if "readonly" in low or "read-only" in low:
        return (
            f"cannot {doing} the catalog {path}: {home} is read-only. article-qa needs to write "
            "there; copy the folder somewhere writable and use that --home."
        )
    if "locked" in low or "busy" in low:
        return f"the catalog {path} is locked by another process ({text}); try again shortly."
    if any(w in low for w in ("malformed", "not a database", "disk i/o", "corrupt", "no such table")):
        return (
            f"the catalog {path} is damaged ({text}). Set the damaged index aside with "
            f"`article-qa --home {home} doctor --repair`, then ingest your files again."
        )
    return (
        f"cannot {doing} the catalog {path} ({type(exc).__name__}: {text}). If it is damaged, "
        f"run `article-qa --home {home} doctor --repair`."
    )


def free_space(where: Path) -> str:
    try:
        free = shutil.disk_usage(where).free
    except OSError:
        return "unknown"
    return f"{free / 1024:.0f} KiB" if free < 1 << 20 else f"{free / (1 << 20):.0f} MiB"


class Catalog:
    """SQLite catalog under the index home. Safe to share between threads (one lock)."""

    def __init__(self, path: Path, read_only: bool = False) -> None:
        self.path = path
        self._lock = threading.RLock()
        try:
            if read_only:
                self.db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                self.db = sqlite3.connect(str(path), check_same_thread=False, timeout=30)
                self.db.execute("PRAGMA journal_mode=WAL")
                self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("PRAGMA foreign_keys=ON")
            self.db.row_factory = sqlite3.Row
            if not read_only:
                with self.db:
                    self.db.executescript(SCHEMA + KEYWORD_SCHEMA)
                    self.db.execute(
                        "INSERT OR IGNORE INTO meta(key, value) VALUES ('schema_version', ?)",
                        (str(SCHEMA_VERSION),),
                    )
            version = self.get_meta("schema_version")
            if not read_only and path.stat().st_size <= QUICK_CHECK_BYTES:
                # cheap on a small catalog; a truncated or overwritten file shows up here
                bad = [r[0] for r in self.db.execute("PRAGMA quick_check(3)").fetchall()]
                if bad != ["ok"]:
                    raise sqlite3.DatabaseError("database disk image is malformed: " + "; ".join(bad))
        except (sqlite3.Error, CatalogError, OSError) as exc:
            if hasattr(self, "db"):
                self.db.close()
            if isinstance(exc, CatalogError):
                raise
            if isinstance(exc, OSError):
                raise CatalogError(f"cannot open the catalog {path}: {exc}") from exc
            raise CatalogError(describe_error(exc, path, "open")) from exc
        try:
            number = int(version) if version is not None else SCHEMA_VERSION
        except ValueError:
            number = -1
        if number != SCHEMA_VERSION:
            self.db.close()
            raise CatalogError(
                f"the catalog {path} has schema version {version}, this program needs "
                f"{SCHEMA_VERSION}. Set it aside with `article-qa --home {path.parent} doctor "
                "--repair`, then ingest your files again."
            )

    @contextmanager
    def _guard(self, doing: str = "use") -> Iterator[None]:
        """SQLite failures become CatalogErrors that say what happened and what to do."""
        try:
            yield
        except sqlite3.Error as exc:
            raise CatalogError(describe_error(exc, self.path, doing)) from exc

    # ------------------------------------------------------------------ meta
    def get_meta(self, key: str) -> str | None:
        with self._lock, self._guard("read"):
            row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        with self._lock, self._guard("write to"), self.db:
            self.db.execute(
                "INSERT INTO meta(key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    def delete_meta(self, key: str) -> None:
        with self._lock, self._guard("write to"), self.db:
            self.db.execute("DELETE FROM meta WHERE key = ?", (key,))

    def generation(self) -> int:
        """A counter bumped by every write (in any process): caches compare against it."""
        value = self.get_meta("generation")
        return int(value) if value else 0

    def _bump(self) -> None:
        """Called inside a write transaction."""
        self.db.execute(
            "INSERT INTO meta(key, value) VALUES ('generation', '1') "
            "ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1"
        )

    # ------------------------------------------------------------------ writes
    def mark_pending(self, articles: Sequence[Article]) -> None:
        """Write (or overwrite) articles as pending and drop their old chunk rows."""
        with self._lock, self._guard("write to"), self.db:
            self._bump()
            for a in articles:
                self.db.execute("DELETE FROM chunk_terms WHERE article_id = ?", (a.id,))
                self.db.execute("DELETE FROM chunks WHERE article_id = ?", (a.id,))
                self.db.execute("DELETE FROM article_authors WHERE article_id = ?", (a.id,))
                self.db.execute("DELETE FROM article_sections WHERE article_id = ?", (a.id,))
                self.db.execute(
                    """INSERT INTO articles (id, title, subtitle, body, published, published_int,
                        authors, source, url, sections, dateline, captions, path, stored, extra,
                        content_hash, body_hash, state, n_chunks, ingested_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?)
                    ON CONFLICT(id) DO UPDATE SET title=excluded.title,
                        subtitle=excluded.subtitle, body=excluded.body,
                        published=excluded.published, published_int=excluded.published_int,
                        authors=excluded.authors, source=excluded.source, url=excluded.url,
                        sections=excluded.sections, dateline=excluded.dateline,
                        captions=excluded.captions, path=excluded.path, stored=excluded.stored,
                        extra=excluded.extra, content_hash=excluded.content_hash,
                        body_hash=excluded.body_hash, state='pending', n_chunks=0,
                        ingested_at=excluded.ingested_at""",
                    (
                        a.id, a.title, a.subtitle, a.text,
                        a.published.isoformat() if a.published else None,
                        date_int(a.published), json.dumps(list(a.authors)), a.source, a.url,
                        json.dumps(list(a.sections)), a.dateline,
                        json.dumps([[c.text, c.image, c.credit] for c in a.captions]),
                        a.path, a.stored.isoformat() if a.stored else None,
                        json.dumps(a.extra), a.content_hash, a.body_hash, _now(),
                    ),
                )
                self.db.executemany(
                    "INSERT INTO article_authors(article_id, author) VALUES (?, ?)",
                    [(a.id, au) for au in a.authors],
                )
                self.db.executemany(
                    "INSERT INTO article_sections(article_id, section) VALUES (?, ?)",
                    [(a.id, s) for s in a.sections],
                )

    def mark_ready(self, chunks_by_article: dict[str, list[Chunk]]) -> None:
        """Record the chunks and flip the articles to ready, in one transaction."""
        with self._lock, self._guard("write to"), self.db:
            self._bump()
            for art_id, chunks in chunks_by_article.items():
                self.db.executemany(
                    'INSERT OR REPLACE INTO chunks(id, article_id, position, start, "end", text, '
                    "header) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [(c.id, art_id, c.position, c.start, c.end, c.text, c.header) for c in chunks],
                )
                self.db.execute("DELETE FROM chunk_terms WHERE article_id = ?", (art_id,))
                self.db.executemany(
                    "INSERT INTO chunk_terms(chunk_id, article_id, terms) VALUES (?, ?, ?)",
                    [(c.id, art_id, chunk_terms(c)) for c in chunks],
                )
                self.db.execute(
                    "UPDATE articles SET state='ready', n_chunks=? WHERE id=?", (len(chunks), art_id)
                )

    def mark_pending_ids(self, article_ids: Iterable[str]) -> None:
        """Flip stored articles back to pending (chunk rows dropped) before removing their
        vectors, so a run killed halfway is finished by the next run's repair."""
        with self._lock, self._guard("write to"), self.db:
            self._bump()
            for art_id in article_ids:
                self.db.execute("DELETE FROM chunk_terms WHERE article_id = ?", (art_id,))
                self.db.execute("DELETE FROM chunks WHERE article_id = ?", (art_id,))
                self.db.execute(
                    "UPDATE articles SET state='pending', n_chunks=0 WHERE id = ?", (art_id,)
                )

    def delete(self, article_ids: Iterable[str]) -> None:
        with self._lock, self._guard("write to"), self.db:
            self._bump()
            ids = [(i,) for i in article_ids]
            self.db.executemany("DELETE FROM chunk_terms WHERE article_id = ?", ids)
            self.db.executemany("DELETE FROM articles WHERE id = ?", ids)

    def log(self, where: str, kind: str, detail: str) -> None:
        with self._lock, self._guard("write to"), self.db:
            self.db.execute(
                'INSERT INTO ingest_log("where", kind, detail, at) VALUES (?, ?, ?, ?) '
                'ON CONFLICT("where", kind) DO UPDATE SET detail=excluded.detail, at=excluded.at',
                (where, kind, detail[:1000], _now()),
            )

    def clear_log(self, where: str) -> None:
        with self._lock, self._guard("write to"), self.db:
            self.db.execute('DELETE FROM ingest_log WHERE "where" = ?', (where,))

    # ------------------------------------------------------------------ reads
    def states(self) -> dict[str, tuple[str, str, str]]:
        """article id -> (state, content_hash, path)."""
        with self._lock, self._guard("read"):
            rows = self.db.execute("SELECT id, state, content_hash, path FROM articles").fetchall()
        return {r[0]: (r[1], r[2], r[3]) for r in rows}

    def body_owner(self, body_hash: str) -> str | None:
        with self._lock, self._guard("read"):
            row = self.db.execute(
                "SELECT id FROM articles WHERE body_hash = ? AND state='ready' LIMIT 1", (body_hash,)
            ).fetchone()
        return None if row is None else str(row[0])

    def pending_ids(self) -> list[str]:
        with self._lock, self._guard("read"):
            return [r[0] for r in self.db.execute("SELECT id FROM articles WHERE state='pending'")]

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        """Run a parameterised read query (callers never format user text into ``sql``)."""
        with self._lock, self._guard("read"):
            return self.db.execute(sql, tuple(params)).fetchall()

    def recreate_keyword_index(self) -> None:
        """Drop the keyword index (whatever state its pages are in) and create it empty."""
        with self._lock, self._guard("write to"), self.db:
            self._bump()
            for kind, name in KEYWORD_OBJECTS:
                self.db.execute(f"DROP {kind} IF EXISTS {name}")
        with self._lock, self._guard("write to"):
            self.db.executescript(KEYWORD_SCHEMA)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        """Run a parameterised write in its own transaction (bumps the generation)."""
        with self._lock, self._guard("write to"), self.db:
            self._bump()
            self.db.execute(sql, tuple(params))

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """Run a parameterised write once per row, all in one transaction (bumps the generation)."""
        with self._lock, self._guard("write to"), self.db:
            self._bump()
            self.db.executemany(sql, rows)

    def article(self, article_id: str) -> Article | None:
        rows = self.query("SELECT * FROM articles WHERE id = ?", (article_id,))
        return row_to_article(rows[0]) if rows else None

    def articles(self, ids: Sequence[str]) -> dict[str, Article]:
        out: dict[str, Article] = {}
        for i in range(0, len(ids), 500):
            part = list(ids[i : i + 500])
            marks = ",".join("?" * len(part))
            for r in self.query(f"SELECT * FROM articles WHERE id IN ({marks})", part):
                out[r["id"]] = row_to_article(r)
        return out

    def iter_chunks(self) -> Iterator[sqlite3.Row]:
        """All chunk rows of ready articles with the article fields retrieval needs."""
        with self._lock, self._guard("read"):
            rows = self.db.execute(
                f"SELECT {CHUNK_COLUMNS} FROM chunks c JOIN articles a ON a.id = c.article_id "
                "WHERE a.state = 'ready' ORDER BY c.article_id, c.position"
            ).fetchall()
        yield from rows

    def chunk_ids(self) -> set[str]:
        return {r[0] for r in self.query("SELECT id FROM chunks")}

    def counts(self) -> dict[str, int]:
        r = self.query(
            "SELECT (SELECT COUNT(*) FROM articles WHERE state='ready'),"
            " (SELECT COUNT(*) FROM chunks),"
            " (SELECT COUNT(*) FROM articles WHERE state='pending'),"
            " (SELECT COUNT(*) FROM ingest_log WHERE kind='skipped'),"
            " (SELECT COUNT(*) FROM ingest_log WHERE kind='duplicate')"
        )[0]
        return {"articles": r[0], "chunks": r[1], "pending": r[2], "skipped": r[3],
                "duplicates": r[4]}

    def paths(self) -> dict[str, str]:
        return {r[0]: r[1] for r in self.query("SELECT id, path FROM articles")}

    def close(self) -> None:
        with self._lock:
            self.db.close()

    # ---- queries for the UI
    def articles_per_day(self) -> list[tuple[str, int]]:
        """(published day, ready articles) for every day with a dated article, oldest first."""
        rows = self.query(
            "SELECT published, COUNT(*) FROM articles WHERE state='ready' AND published IS NOT NULL "
            "GROUP BY published ORDER BY published"
        )
        return [(str(r[0]), int(r[1])) for r in rows]

    def top_authors(self, limit: int = 300) -> list[str]:
        """Authors of ready articles, most articles first (ties by name), at most ``limit``."""
        rows = self.query(
            "SELECT au.author, COUNT(*) AS n FROM article_authors au JOIN articles a "
            "ON a.id = au.article_id WHERE a.state='ready' GROUP BY au.author "
            "ORDER BY n DESC, au.author LIMIT ?",
            (limit,),
        )
        return [str(r[0]) for r in rows]


def row_to_article(r: sqlite3.Row) -> Article:
    return Article(
        id=r["id"],
        title=r["title"],
        subtitle=r["subtitle"],
        paragraphs=tuple(r["body"].split("\n\n")),
        published=parse_date(r["published"]) if r["published"] else None,
        authors=tuple(json.loads(r["authors"])),
        source=r["source"],
        url=r["url"],
        sections=tuple(json.loads(r["sections"])),
        dateline=r["dateline"],
        captions=tuple(Caption(*c) for c in json.loads(r["captions"])),
        path=r["path"],
        stored=parse_date(r["stored"]) if r["stored"] else None,
        extra=json.loads(r["extra"]),
    )


def row_to_chunk(r: sqlite3.Row) -> Chunk:
    """A chunk from an ``iter_chunks`` row (everything its vector and metadata are made of)."""
    return Chunk(
        id=r["id"], article_id=r["article_id"], position=r["position"], text=r["text"],
        start=r["start"], end=r["end"], header=r["header"], title=r["title"], source=r["source"],
        published=parse_date(r["published"]) if r["published"] else None,
        authors=tuple(json.loads(r["authors"])), sections=tuple(json.loads(r["sections"])),
        url=r["url"],
    )


@contextmanager
def opened(path: Path) -> Iterator[Catalog]:
    cat = Catalog(path)
    try:
        yield cat
    finally:
        cat.close()
