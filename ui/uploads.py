"""Uploaded files: safe names, content-addressed copies under the index home, and the Markdown
report of what each upload added."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from qa.types import IngestReport

UPLOAD_SUFFIXES = (".txt", ".md", ".csv", ".tsv", ".jsonl", ".json")


def safe_upload_name(name: str) -> str:
    """A safe basename for an uploaded file, or ValueError with the reason it is refused.

    Names with path separators, ``..``, NUL or a leading dot are refused (never "cleaned" into
    something else); other unusual characters become ``_``; the suffix must be a supported one.
    """
    if not name or any(ch in name for ch in ("/", "\\", "\x00")) or name in (".", ".."):
        raise ValueError("not a plain file name")
    if name.startswith(".") or ".." in name:
        raise ValueError("hidden or path-like file name")
    suffix = Path(name).suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        raise ValueError(
            f"unsupported type {suffix or '(none)'}; use {', '.join(UPLOAD_SUFFIXES)}"
        )
    stem = re.sub(r"[^A-Za-z0-9._ -]+", "_", Path(name).stem).strip(" .") or "upload"
    return f"{stem[:100]}{suffix}"


@dataclass
class FileReport:
    """What happened to one uploaded file."""

    name: str
    stored: str = ""  #: path under the upload dir ("" when refused before copying)
    report: IngestReport | None = None
    error: str = ""  #: why the file was refused or failed
    duplicate_titles: list[str] = field(default_factory=list)


def store_upload(src: Path, upload_dir: Path, max_bytes: int) -> Path:
    """Copy an uploaded temp file into ``upload_dir`` under a safe, content-addressed name.

    Only the basename of the upload is used; symlinks, oversize files and unsafe names are
    refused with ValueError. Identical re-uploads land on the same file.
    """
    name = safe_upload_name(src.name)
    if src.is_symlink() or not src.is_file():
        raise ValueError("not a regular file")
    size = src.stat().st_size
    if size > max_bytes:
        raise ValueError(f"too large ({size:,} bytes; the limit is {max_bytes:,})")
    digest = hashlib.sha256()
    with src.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    upload_dir.mkdir(parents=True, exist_ok=True)
    dest = upload_dir / f"{digest.hexdigest()[:12]}-{name}"
    if dest.parent.resolve() != upload_dir.resolve():
        raise ValueError("not a plain file name")
    if dest.exists() and not dest.is_symlink():
        return dest
    tmp = upload_dir / f".{dest.name}.{os.getpid()}.{threading.get_ident()}.part"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o640)
    with os.fdopen(fd, "wb") as out, src.open("rb") as fh:
        shutil.copyfileobj(fh, out)
    tmp.replace(dest)
    return dest


def _where_in_file(where: str, stored: str) -> str:
    """``/home/uploads/ab12-export.csv:row 6`` -> ``row 6`` (the record inside the upload)."""
    rest = where[len(stored):] if stored and where.startswith(stored) else where.rsplit("/", 1)[-1]
    return rest.lstrip(":").strip() or "the file"


def render_upload_report(reports: Sequence[FileReport], max_reasons: int = 8) -> str:
    """Markdown: one line per file (what was added / updated / unchanged) with skip reasons."""
    if not reports:
        return ""
    lines: list[str] = []
    for fr in reports:
        name = fr.name.replace("*", "\\*").replace("_", "\\_")
        if fr.report is None:
            lines.append(f"- **{name}**: refused, {fr.error}")
            continue
        r = fr.report
        parts = [
            f"{len(r.added)} added" if r.added else "",
            f"{len(r.updated)} updated" if r.updated else "",
            f"{len(r.unchanged)} already in the collection" if r.unchanged else "",
            f"{len(r.duplicates)} duplicate{'s' if len(r.duplicates) != 1 else ''}"
            if r.duplicates else "",
            f"{len(r.skipped)} skipped" if r.skipped else "",
            f"{r.repaired_quotes} apostrophes restored (written as \")" if r.repaired_quotes else "",
        ]
        lines.append(f"- **{name}**: {', '.join(x for x in parts if x) or 'no articles'}")
        for where, reason in r.skipped[:max_reasons]:
            lines.append(f"    - {_where_in_file(where, fr.stored)}: {reason}")
        if len(r.skipped) > max_reasons:
            lines.append(f"    - … and {len(r.skipped) - max_reasons} more")
        for title in fr.duplicate_titles[:max_reasons]:
            lines.append(f"    - same text as “{title}”, already indexed")
    added = sum(len(fr.report.added) + len(fr.report.updated) for fr in reports if fr.report)
    head = f"**{added} article{'s' if added != 1 else ''} added or updated.**"
    return "\n".join([head, "", *lines])
