"""The claim judge: the model answers a claim, asked as a question, over numbered sentences of one
outlet: YES or NO with the number of the sentence that shows it (supports / contradicts), or NOT
STATED. (A prompt asking for SUPPORTS / CONTRADICTS labels got NOT STATED for 19 of the 20 dev
claims from the 1.5B model; asked as a question it answered all 20.)

The label can only rest on a sentence the checker gave it, quoted verbatim: with the local model
a GBNF grammar allows nothing but the three labels and the sentence numbers; any other model's
reply is parsed the same way and dropped when it does not fit.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Literal

from langchain_core.language_models import BaseChatModel
from langchain_core.prompts import ChatPromptTemplate

from qa.llm.local_model import LocalChatModel
from qa.llm.prompts import JUDGE_SYSTEM, JUDGE_USER, sanitize

logger = logging.getLogger(__name__)

Label = Literal["supports", "contradicts", "not stated"]
_REPLY = re.compile(r"^\s*(YES|NO)\b\s*\(?\s*(?:sentence\s*)?(\d+)|^\s*(NOT STATED)", re.I)


def judge_grammar(n: int) -> str:
    """GBNF: "NOT STATED", or YES / NO and a sentence number 1..n."""
    numbers = " | ".join(f'"{i}"' for i in range(1, n + 1))
    return f'root ::= "NOT STATED" | ("YES" | "NO") " " num\nnum ::= {numbers}\n'


def parse_verdict(reply: str, n: int) -> tuple[Label, int] | None:
    """(label, sentence index from 0) from a reply; -1 for NOT STATED; None when it does not fit."""
    m = _REPLY.match(reply.strip())
    if not m:
        return None
    if m.group(3):
        return "not stated", -1
    i = int(m.group(2)) - 1
    if not 0 <= i < n:
        return None
    return ("supports" if m.group(1).upper() == "YES" else "contradicts"), i


def judge_claim(model: BaseChatModel, claim: str, sentences: list[str]) -> tuple[Label, int] | None:
    """The model's verdict on ``claim`` (a clause: "did X say Y", "Y happened") over ``sentences``
    (index of the sentence it rests on, -1 for not stated); None when it could not be asked or
    replied out of form."""
    if not sentences:
        return None
    numbered = "\n".join(f"{i}. {sanitize(s)}" for i, s in enumerate(sentences, start=1))
    msgs = ChatPromptTemplate.from_messages(
        [("system", JUDGE_SYSTEM), ("human", JUDGE_USER)]
    ).format_messages(sentences=numbered, claim=sanitize(claim.strip().rstrip("?")))
    extra: dict[str, Any] = {"max_tokens": 8}
    if isinstance(model, LocalChatModel):
        extra["grammar"] = judge_grammar(len(sentences))
    try:
        reply = model.invoke(msgs, **extra)
    except Exception as exc:  # the model is an optional extra: the rules' verdict stands
        logger.warning("claim judge failed: %s", exc)
        return None
    content = reply.content if isinstance(reply.content, str) else str(reply.content)
    return parse_verdict(content, len(sentences))
