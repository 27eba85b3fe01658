"""Articles in -> parsed Article -> Chunk -> vectors + catalog rows."""

from ingest.parsers import Skip, parse_file, parse_text
from ingest.pipeline import ingest_files, ingest_paths

__all__ = ["Skip", "ingest_files", "ingest_paths", "parse_file", "parse_text"]
