"""Question in -> retrieval -> answer with verified citations."""

from qa.api import ArticleQA
from qa.settings import Settings
from qa.types import Answer, Article, Chunk, Citation, IngestReport, ScoredChunk

__all__ = [
    "Answer", "Article", "ArticleQA", "Chunk", "Citation", "IngestReport", "ScoredChunk",
    "Settings",
]
