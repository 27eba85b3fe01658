"""The "accurate" reader's span step: the model copies the exact answer phrase out of the
sentences (the span prompt; a GBNF grammar with the local model), checked to be verbatim."""

from __future__ import annotations

import logging
import re
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, HumanMessage
from langchain_core.prompts import ChatPromptTemplate

from qa.llm.local_model import LocalChatModel
from qa.llm.prompts import SPAN_SYSTEM, SPAN_USER, sanitize

logger = logging.getLogger(__name__)


def read_span(model: BaseChatModel, question: str, sentences: list[str]) -> str | None:
    """Ask ``model`` for the exact answer phrase in ``sentences`` (non-empty, non-blank); see
    ``LLMAnswerer.read_span`` for what it returns."""
    numbered = "\n".join(f"{i}. {sanitize(s)}" for i, s in enumerate(sentences, start=1))
    msgs = ChatPromptTemplate.from_messages(
        [("system", SPAN_SYSTEM), ("human", SPAN_USER)]
    ).format_messages(sentences=numbered, question=sanitize(question))
    extra: dict[str, Any] = {"max_tokens": 40}
    if isinstance(model, LocalChatModel):
        extra["grammar"] = span_grammar(sentences)
    for attempt in range(2):
        try:
            reply = model.invoke(msgs, **extra) if extra.get("grammar") else model.invoke(msgs)
        except Exception as exc:
            logger.warning("read_span failed: %s", exc)
            return None
        content = reply.content if isinstance(reply.content, str) else str(reply.content)
        span = verbatim_span(content, sentences)
        if span is not None:
            return span
        if content.strip().upper().startswith("NONE"):
            return ""
        if attempt == 0:
            msgs = [*msgs, AIMessage(content=content), HumanMessage(
                content="That is not copied exactly from the sentences. Reply with words "
                "copied exactly from one sentence, or NONE.")]
    return None


def verbatim_span(reply: str, sentences: list[str]) -> str | None:
    """``reply`` cleaned of quotes / end punctuation, if it is verbatim in a sentence."""
    text = reply.strip().splitlines()[0].strip() if reply.strip() else ""
    text = re.sub(r"^(?:exact phrase|answer)\s*:\s*", "", text, flags=re.I)
    # the bare phrase first: a grammar-copied word keeps its sentence's "Barclays." punctuation
    for cand in dict.fromkeys((text.strip(" \"'“”‘’`*.,;:!?"), text.strip(" \"'“”‘’`*"), text)):
        if not cand or cand.upper() == "NONE":
            continue
        for s in sentences:
            if cand in s:
                return cand
        for s in sentences:  # same words, other case: return the sentence's own text
            pos = s.lower().find(cand.lower())
            if pos >= 0:
                return s[pos : pos + len(cand)]
    return None


def _gbnf_literal(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def span_grammar(sentences: list[str]) -> str:
    """GBNF accepting "NONE" or any run of consecutive words of one sentence, verbatim."""
    rules: list[str] = []
    starts: list[str] = []
    for i, sent in enumerate(sentences):
        words = list(re.finditer(r"\S+", sent))
        for j, m in enumerate(words):
            name = f"s{i}w{j}"
            starts.append(name)
            lit = _gbnf_literal(m.group())
            if j + 1 < len(words):
                gap = _gbnf_literal(sent[m.end() : words[j + 1].start()])
                rules.append(f"{name} ::= {lit} ({gap} s{i}w{j + 1})?")
            else:
                rules.append(f"{name} ::= {lit}")
    root = 'root ::= "NONE"' + "".join(f" | {s}" for s in starts)
    return "\n".join([root, *rules]) + "\n"
