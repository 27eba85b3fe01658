"""After ``warm_up()`` (what the app does before it says it is ready), the first answer loads no
model and builds no index: it costs what the next ones cost. The keyword index is on disk, so a
fresh process has nothing to build."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa import ArticleQA, Settings
from tests.conftest import CORPUS


def test_the_first_answer_after_warm_up_loads_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import qa.embed.minilm
    import qa.embed.onnx_minilm
    import qa.lang.nlp
    import qa.store.keywords

    bot = ArticleQA(settings=Settings.from_env(env={}, home=tmp_path / "home"))  # the real MiniLM (fp32 ONNX)
    bot.ingest([CORPUS])
    bot.close()
    bot = ArticleQA(settings=Settings.from_env(env={}, home=tmp_path / "home"))  # a fresh start
    took = bot.warm_up()
    assert set(took) == {"embedder", "vocabulary", "indexes", "entity recogniser"}

    def no_loading(*args: object, **kw: object) -> None:
        raise AssertionError("the first answer loaded a model or built an index")

    monkeypatch.setattr(qa.embed.minilm.MiniLMEmbedder, "__init__", no_loading)
    monkeypatch.setattr(qa.embed.onnx_minilm.OnnxMiniLMEmbedder, "__init__", no_loading)
    monkeypatch.setattr(qa.store.keywords, "backfill", no_loading)
    monkeypatch.setattr(qa.store.keywords, "rebuild", no_loading)
    # the entity recogniser, when installed, is loaded already
    assert qa.lang.nlp._pipeline.cache_info().currsize == 1 or not qa.lang.nlp.available()
    ans = bot.ask("Who met Rex Tillerson in Bonn?")
    assert "Sergei Lavrov" in ans.text
    bot.close()
