"""Property-based tests (hypothesis) of the article parsers against hostile input.

Whatever the bytes, ``parse_file`` yields only ``Article`` or ``Skip`` (never raises), every
``Skip`` names the file and gives a reason, articles satisfy their invariants (non-empty
paragraphs, no NUL / zero-width characters, bounded field lengths, real dates) and a file that
yields nothing useful is still reported. A batch mixing good and hostile files goes through the
real ingest pipeline (fake "hash" embedder): every good article is indexed, every bad file is
named with a reason.

The fast tests (CI) run ~200 examples each; the ``slow`` variants run many more:
``pytest -m slow tests/unit/ingest/test_fuzz_parsers.py --hypothesis-show-statistics``.
"""

from __future__ import annotations

import codecs
import datetime as dt
import itertools
import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.parsers import (
    MAX_ARTICLE_CHARS,
    MAX_FIELD_CHARS,
    MAX_NESTING,
    SUPPORTED_SUFFIXES,
    Skip,
    parse_file,
    parse_text,
)
from qa.types import Article

FAST = settings(max_examples=100, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                       HealthCheck.data_too_large])
SLOW = settings(FAST, max_examples=3000, derandomize=False)

SUFFIXES = sorted(SUPPORTED_SUFFIXES)
# zero-width, BOM, bidi overrides / marks, NUL, control, combining, astral, line/paragraph separators
TRICKY = ("\u200b\u200c\u200d\u2060\ufeff\u202e\u202c\u200f\u061c\x00\u0301\U0001f600"
          "\r\n\t\x0b\x1b\u2028\u2029\x85 ,;\"'")
MOJIBAKE = ["Ã©", "â€™", "Ð¿Ñ€Ð¸", "ï»¿", "Â ", "e\u0301", "\x1b[31m", "\r\n",
            "Putin", "Lavrov", "Bonn", "said"]
ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff\x00]")

tricky_text = st.text(alphabet=st.one_of(st.sampled_from(TRICKY), st.characters(blacklist_categories=["Cs"])),
                      max_size=40)
words = st.lists(st.one_of(st.sampled_from(MOJIBAKE), tricky_text), max_size=12).map(" ".join)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


# ---------------------------------------------------------------------------- invariants
def check_items(items: list[Article | Skip], where: str) -> tuple[list[Article], list[Skip]]:
    """The properties every parse result must have."""
    assert items, f"{where}: nothing at all came out (not even a Skip)"
    arts = [i for i in items if isinstance(i, Article)]
    skips = [i for i in items if isinstance(i, Skip)]
    assert len(arts) + len(skips) == len(items), [type(i) for i in items]
    for s in skips:
        assert s.where.startswith(where), s
        assert isinstance(s.reason, str) and s.reason.strip(), s
    for a in arts:
        assert a.path.startswith(where)
        assert a.id.startswith("a") and len(a.id) == 17
        assert a.paragraphs and all(p.strip() for p in a.paragraphs)
        assert sum(len(p) for p in a.paragraphs) <= MAX_ARTICLE_CHARS + 2 * len(a.paragraphs)
        for text in (a.title, a.subtitle, a.source, a.dateline, *a.paragraphs, *a.authors):
            assert not ZERO_WIDTH.search(text), repr(text[:80])
        for one_line in (a.title, a.subtitle, a.source, a.dateline, a.url, *a.authors, *a.sections):
            assert len(one_line) <= MAX_FIELD_CHARS and "\n" not in one_line, repr(one_line[:80])
        for d in (a.published, a.stored):
            assert d is None or (isinstance(d, dt.date) and dt.date(1, 1, 1) <= d <= dt.date(9999, 12, 31))
        assert a.content_hash and a.body_hash  # hashable / encodable (no lone surrogates)
    return arts, skips


def parse_bytes(scratch: Path, data: bytes, suffix: str) -> tuple[list[Article], list[Skip]]:
    path = scratch / f"input{suffix}"
    path.write_bytes(data)
    return check_items(list(parse_file(path)), str(path))


# ---------------------------------------------------------------------------- strategies
def _encode(text: str, encoding: str) -> bytes:
    if encoding == "utf-8-bom":
        return codecs.BOM_UTF8 + text.encode("utf-8", "surrogatepass")
    return text.encode(encoding, "replace" if encoding in ("latin-1", "cp1252") else "surrogatepass")


ENCODINGS = ["utf-8", "utf-8-bom", "latin-1", "cp1252", "utf-16", "utf-16-le", "utf-16-be", "utf-32"]

json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), tricky_text),
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.sampled_from(["text", "title", "date", "author", "url",
                                                             "name", "value", "x"]), inner, max_size=4)),
    max_leaves=20,
)
FIELDS = ["title", "text", "body", "date", "published", "author", "authors", "source", "url", "section",
          "id", "dateline", "subtitle", "weird key ☃"]
records = st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=8)


@st.composite
def jsonl_files(draw: Any) -> str:
    lines = []
    for _ in range(draw(st.integers(0, 6))):
        kind = draw(st.sampled_from(["record", "record", "value", "garbage", "blank", "truncated"]))
        if kind == "record":
            lines.append(json.dumps(draw(records), ensure_ascii=draw(st.booleans())))
        elif kind == "value":
            lines.append(json.dumps(draw(json_values)))
        elif kind == "garbage":
            lines.append(draw(tricky_text).replace("\n", " "))
        elif kind == "truncated":
            full = json.dumps(draw(records))
            lines.append(full[: draw(st.integers(0, len(full)))])
        else:
            lines.append(" ")
    return draw(st.sampled_from(["\n", "\r\n"])).join(lines)


@st.composite
def csv_files(draw: Any) -> str:
    delim = draw(st.sampled_from([",", ";", "\t", "|"]))
    cols = draw(st.lists(st.sampled_from(FIELDS), min_size=1, max_size=5))
    cell = st.one_of(words, tricky_text, st.sampled_from(['"', '""', 'a"b', '"open', 'close"', "\n", delim,
                                                          "2017-03-15", "0000-00-00", "15 March 9999"]))
    rows = [delim.join(cols)]
    for _ in range(draw(st.integers(0, 6))):
        n = draw(st.integers(0, len(cols) + 2))  # too few / too many cells
        cells = []
        for _ in range(n):
            v = draw(cell)
            quoting = draw(st.sampled_from(["none", "quoted", "broken"]))
            if quoting == "quoted":
                v = '"' + v.replace('"', '""') + '"'
            elif quoting == "broken":
                v = '"' + v
            cells.append(v)
        rows.append(delim.join(cells))
    return draw(st.sampled_from(["\n", "\r\n", "\r"])).join(rows)


years = st.integers(0, 9999)
MONTHS = ["JANUARY", "March", "sept", "Dec", "Foo", "ſeptember"]


@st.composite
def house_files(draw: Any) -> str:
    parts = []
    if draw(st.booleans()):
        parts.append(f"date {draw(years):04d}-{draw(st.integers(0, 99)):02d}-{draw(st.integers(0, 99)):02d}")
        parts.append("")
    parts.append(draw(st.one_of(st.just(""), words)).replace("\n", " "))  # title, maybe empty
    if draw(st.booleans()):
        parts.append(f"BY {draw(words)} in {draw(words)}".replace("\n", " "))
    if draw(st.booleans()):
        parts.append(f"on {draw(st.integers(0, 99))} {draw(st.sampled_from(MONTHS))} {draw(years):04d}")
    for _ in range(draw(st.integers(0, 5))):
        parts.append("")
        kind = draw(st.sampled_from(["para", "para", "image", "credit"]))
        if kind == "image":
            parts.append(draw(st.sampled_from(["a.jpg", "photo.PNG", "x y.gif"])))
        elif kind == "credit":
            parts.append(f"{draw(words)} (Photo credit: {draw(words)})")
        else:
            parts.append(draw(words))
    return "\n".join(parts)


# ---------------------------------------------------------------------------- 1. arbitrary bytes
def _arbitrary_bytes(scratch: Path, data: bytes, suffix: str) -> None:
    parse_bytes(scratch, data, suffix)


@FAST
@given(data=st.binary(max_size=2048), suffix=st.sampled_from(SUFFIXES))
def test_arbitrary_bytes_never_crash(scratch: Path, data: bytes, suffix: str) -> None:
    _arbitrary_bytes(scratch, data, suffix)


@pytest.mark.slow
@SLOW
@given(data=st.binary(max_size=16384), suffix=st.sampled_from(SUFFIXES))
def test_arbitrary_bytes_never_crash_slow(scratch: Path, data: bytes, suffix: str) -> None:
    _arbitrary_bytes(scratch, data, suffix)


# ---------------------------------------------------------------------------- 2. encodings
def _encodings(scratch: Path, text: str, encoding: str, suffix: str) -> None:
    data = _encode(text, encoding)
    arts, skips = parse_bytes(scratch, data, suffix)
    try:
        data.decode("utf-8")
        utf8 = b"\x00" not in data[:8192]
    except UnicodeDecodeError:
        utf8 = False
    if not utf8:  # Latin-1, cp1252, UTF-16/32, NULs: the whole file is refused, once, with a reason
        assert not arts and len(skips) == 1, skips
        reason = skips[0].reason
        assert "not UTF-8" in reason or "binary" in reason, reason
        if "not UTF-8" in reason and "byte order mark" not in reason:
            assert re.search(r"byte \d+", reason), reason


_enc_text = st.one_of(words, house_files(), csv_files(), jsonl_files(),
                      st.text(alphabet="aéèüßçñÀÿþ€™ \n,\"", max_size=200))


@FAST
@given(text=_enc_text, encoding=st.sampled_from(ENCODINGS), suffix=st.sampled_from(SUFFIXES))
def test_wrong_encodings_are_refused_with_the_offset(scratch: Path, text: str, encoding: str, suffix: str) -> None:
    _encodings(scratch, text, encoding, suffix)


@pytest.mark.slow
@SLOW
@given(text=_enc_text, encoding=st.sampled_from(ENCODINGS), suffix=st.sampled_from(SUFFIXES))
def test_wrong_encodings_are_refused_with_the_offset_slow(
    scratch: Path, text: str, encoding: str, suffix: str
) -> None:
    _encodings(scratch, text, encoding, suffix)


def test_utf16_and_utf32_are_refused_by_name(scratch: Path) -> None:
    for enc, label in (("utf-16", "UTF-16"), ("utf-32", "UTF-32")):
        _, skips = parse_bytes(scratch, "title\n\nbody text here".encode(enc), ".txt")
        assert len(skips) == 1 and f"{label} byte order mark" in skips[0].reason, skips


def test_utf8_bom_and_crlf_are_fine(scratch: Path) -> None:
    arts, skips = parse_bytes(scratch, codecs.BOM_UTF8 + b"title,text\r\nHello,Body one\r\n", ".csv")
    assert not skips and [a.title for a in arts] == ["Hello"]


# ---------------------------------------------------------------------------- 3. structured formats
def _csv(scratch: Path, text: str, suffix: str) -> None:
    parse_bytes(scratch, text.encode("utf-8", "surrogatepass"), suffix)
    check_items(list(parse_text(text, "mem.csv", suffix)), "mem.csv")  # the in-memory path too


@FAST
@given(text=csv_files(), suffix=st.sampled_from([".csv", ".tsv"]))
def test_csv_with_broken_quoting_never_crashes(scratch: Path, text: str, suffix: str) -> None:
    _csv(scratch, text, suffix)


@pytest.mark.slow
@SLOW
@given(text=csv_files(), suffix=st.sampled_from([".csv", ".tsv"]))
def test_csv_with_broken_quoting_never_crashes_slow(scratch: Path, text: str, suffix: str) -> None:
    _csv(scratch, text, suffix)


def _jsonl(scratch: Path, text: str, suffix: str) -> None:
    path = scratch / f"input{suffix}"
    arts, skips = parse_bytes(scratch, text.encode("utf-8", "surrogatepass"), suffix)
    if text.lstrip().startswith("[") or any(s.where == str(path) for s in skips):
        return  # a JSON array, or refused as a whole (NUL bytes, empty)
    # one outcome per non-blank line: an article or a Skip naming that line
    lines = [n for n, line in enumerate(re.split(r"\r\n|\n|\r", text), start=1) if line.strip()]
    if lines:
        got = sorted({int(re.search(r":line (\d+)$", x.path if isinstance(x, Article) else x.where)[1])
                      for x in [*arts, *skips] if re.search(r":line \d+$", getattr(x, "path", "") or
                                                            getattr(x, "where", ""))})
        assert got == lines, (got, lines)


@FAST
@given(text=jsonl_files(), suffix=st.sampled_from([".jsonl", ".ndjson", ".json"]))
def test_jsonl_every_line_is_an_article_or_a_named_skip(scratch: Path, text: str, suffix: str) -> None:
    _jsonl(scratch, text, suffix)


@pytest.mark.slow
@SLOW
@given(text=jsonl_files(), suffix=st.sampled_from([".jsonl", ".ndjson", ".json"]))
def test_jsonl_every_line_is_an_article_or_a_named_skip_slow(scratch: Path, text: str, suffix: str) -> None:
    _jsonl(scratch, text, suffix)


def _house(scratch: Path, text: str) -> None:
    arts, _ = parse_bytes(scratch, text.encode("utf-8", "surrogatepass"), ".txt")
    parse_bytes(scratch, text.encode("utf-8", "surrogatepass"), ".md")
    for a in arts:
        if m := re.match(r"date (\d{4})-(\d{2})-(\d{2})", text):
            try:
                stored: dt.date | None = dt.date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                stored = None
            assert a.stored == stored


@FAST
@given(text=house_files())
def test_house_format_with_odd_headers_dates_and_titles(scratch: Path, text: str) -> None:
    _house(scratch, text)


@pytest.mark.slow
@SLOW
@given(text=house_files())
def test_house_format_with_odd_headers_dates_and_titles_slow(scratch: Path, text: str) -> None:
    _house(scratch, text)


@FAST
@given(record=records)
def test_json_record_fields_of_any_shape(record: dict[str, Any]) -> None:
    check_items(list(parse_text(json.dumps(record), "r.jsonl", ".jsonl")), "r.jsonl")


# ---------------------------------------------------------------------------- 4. targeted cases
@pytest.mark.parametrize("depth", [MAX_NESTING - 2, MAX_NESTING + 5, 900, 5000, 100_000])
def test_deeply_nested_jsonl_is_a_named_skip(scratch: Path, depth: int) -> None:
    good = json.dumps({"title": "Fine", "text": "A good body."})
    deep = '{"title": "Deep", "text": ' + "[" * depth + '"x"' + "]" * depth + "}"
    arts, skips = parse_bytes(scratch, f"{deep}\n{good}\n{'[' * depth}\n".encode(), ".jsonl")
    assert "Fine" in [a.title for a in arts]  # the good line after it survives
    if depth > MAX_NESTING:
        assert any(s.where.endswith(":line 1") for s in skips), skips
    assert any(s.where.endswith(":line 3") for s in skips), skips


def test_huge_integer_and_float_fields(scratch: Path) -> None:
    lines = ['{"title": "big", "text": "body", "date": ' + "9" * 5000 + "}",
             '{"title": "inf", "text": "body", "date": 1e999}',
             '{"title": "neg", "text": "body", "date": -99999999999999999999}',
             '{"title": "ok", "text": "body b", "date": "2017-03-15"}']
    arts, skips = parse_bytes(scratch, "\n".join(lines).encode(), ".jsonl")
    assert [a.title for a in arts] == ["inf", "neg", "ok"] and arts[-1].published == dt.date(2017, 3, 15)
    assert len(skips) == 1 and skips[0].where.endswith(":line 1") and "malformed JSON" in skips[0].reason


def test_huge_line_in_jsonl_and_csv_is_skipped_without_losing_the_rest(
    scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ingest.parsers import common

    monkeypatch.setattr(common, "MAX_RECORD_CHARS", 1000)
    big = json.dumps({"title": "Huge", "text": "x " * 5000})
    ok = json.dumps({"title": "After", "text": "still read"})
    arts, skips = parse_bytes(scratch, f"{ok}\n{big}\n{ok.replace('After', 'Later')}\n".encode(), ".jsonl")
    assert [a.title for a in arts] == ["After", "Later"]
    assert len(skips) == 1 and skips[0].where.endswith(":line 2") and "longer than" in skips[0].reason
    rows = "title,text\nFirst,one\nHuge," + "y" * 5000 + "\nThird,three\n"
    arts, skips = parse_bytes(scratch, rows.encode(), ".csv")
    assert [a.title for a in arts] == ["First"]
    assert len(skips) == 1 and ":row 3" in skips[0].where and "rows after it not read" in skips[0].reason


def test_json_array_over_the_limit_is_refused_by_name(scratch: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ingest.parsers import common

    monkeypatch.setattr(common, "MAX_JSON_ARRAY_CHARS", 500)
    arr = json.dumps([{"title": f"t{i}", "text": "body " * 10} for i in range(20)])
    _, skips = parse_bytes(scratch, arr.encode(), ".json")
    assert len(skips) == 1 and "JSON Lines" in skips[0].reason
    arts, skips = parse_bytes(scratch, json.dumps([{"title": "t", "text": "b"}, 5]).encode(), ".json")
    assert len(arts) == 1 and skips[0].where.endswith(":item 2")


@pytest.mark.parametrize(("content", "suffix", "reason"), [
    ("title,text\n\n\n", ".csv", "no records"),
    ("title\ttext\n", ".tsv", "no records"),
    ("   \n\t\n", ".jsonl", "empty file"),
    ("", ".md", "empty file"),
    ("just a title line\n", ".txt", "empty text"),
    ("\u200b\u200b\n\n\u200b", ".txt", "empty"),
    ("date 2017-03-15\n\nTitle only\n", ".txt", "no body"),
    ('"unterminated,text\n', ".csv", "no text column"),
    ("title,text\nT,\"open quote\n", ".csv", ""),
    ("title,text\nT,a\x00b\n", ".csv", ""),
])
def test_files_with_nothing_usable_are_still_reported(scratch: Path, content: str, suffix: str, reason: str) -> None:
    arts, skips = parse_bytes(scratch, content.encode(), suffix)
    if not arts:
        assert skips and reason in skips[0].reason, skips


def test_zero_width_and_rtl_characters(scratch: Path) -> None:
    text = ("Put\u200bin\u2060 meets \u202eLavrov\u202c\n\nThe \u200dtwo ministers met in Bonn.\n\n"
            "\u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627 (Hebrew and Arabic)\n")
    (art,) = parse_bytes(scratch, text.encode(), ".md")[0]
    assert art.title == "Putin meets \u202eLavrov\u202c"
    assert art.paragraphs[0] == "The two ministers met in Bonn."
    rows = 'title,text\n"\u200bTitle\u200b","\u200bbody\u200b"\n'
    (art,) = parse_bytes(scratch, rows.encode(), ".csv")[0]
    assert art.title == "Title" and art.paragraphs == ("body",)


@pytest.mark.parametrize("year", [0, 1, 999, 1000, 1969, 1970, 2038, 9999])
def test_dates_year_0_to_9999_in_every_format(scratch: Path, year: int) -> None:
    def expect(y: int, m: int, d: int) -> dt.date | None:
        return dt.date(y, m, d) if y >= 1 else None

    rows = ["title,text,date"]
    forms = [f"{year:04d}-03-15", f"{year:04d}-03-15T10:00:00Z", f"15 March {year:04d}",
             f"March 15, {year:04d}", f"15.03.{year:04d}", f"{year:04d}0315", f"{year:04d}-02-30"]
    rows += [f'T{i},body {i},"{f}"' for i, f in enumerate(forms)]
    arts, _ = parse_bytes(scratch, "\n".join(rows).encode(), ".csv")
    got = {a.title: a.published for a in arts}
    for i in range(len(forms) - 1):
        assert got[f"T{i}"] == expect(year, 3, 15), (forms[i], got[f"T{i}"])
    assert got[f"T{len(forms) - 1}"] is None  # 30 February


def test_long_titles_and_fields_are_cut(scratch: Path) -> None:
    rec = {"title": "T" * 100_000, "source": "S" * 5000, "author": ["A" * 3000], "text": "body",
           "k" * 500: "v"}
    (art,) = parse_bytes(scratch, json.dumps(rec).encode(), ".jsonl")[0]
    assert len(art.title) == MAX_FIELD_CHARS and len(art.source) == MAX_FIELD_CHARS
    assert all(len(k) <= 100 for k in art.extra)


# ---------------------------------------------------------------------------- 5. mixed batch through the pipeline
_counter = itertools.count()
bad_files = st.one_of(
    st.tuples(st.binary(min_size=1, max_size=512), st.sampled_from(SUFFIXES)),
    st.tuples(st.sampled_from(["", " \n", "title,text\n", "a,b\n1,2\n", "{bad json\n", "[1, 2,",
                               "\x00\x01binary", "one line only"]).map(str.encode), st.sampled_from(SUFFIXES)),
    st.tuples(st.text(alphabet="éèàÿþ€", min_size=1, max_size=50).map(lambda t: t.encode("latin-1", "replace")),
              st.sampled_from(SUFFIXES)),
    st.tuples(st.just(b"x"), st.sampled_from([".pdf", ".exe", ".zip", ".docx", ""])),
)


@pytest.fixture(scope="module")
def batch_bot(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from qa import ArticleQA, Settings

    bot = ArticleQA(settings=Settings.from_env(home=tmp_path_factory.mktemp("batch-home"), embedder="hash"))
    yield bot
    bot.close()


def _batch(batch_bot: Any, scratch: Path, bad: list[tuple[bytes, str]], n_good: int) -> None:
    run = next(_counter)
    folder = scratch / f"batch{run}"
    folder.mkdir()
    titles = []
    for i in range(n_good):
        title = f"Good article {run}-{i}"
        titles.append(title)
        suffix = [".md", ".txt", ".csv", ".jsonl"][i % 4]
        body = f"Minister {run} spoke about item {i} in Bonn on Tuesday."
        content = {".md": f"{title}\n\n{body}\n", ".txt": f"{title}\n\n{body}\n",
                   ".csv": f'title,text\n"{title}","{body}"\n',
                   ".jsonl": json.dumps({"title": title, "text": body}) + "\n"}[suffix]
        (folder / f"good{i}{suffix}").write_text(content, encoding="utf-8")
    bad_names = []
    for j, (data, suffix) in enumerate(bad):
        name = f"bad{j}{suffix}"
        (folder / name).write_bytes(data)
        bad_names.append(name)
    report = batch_bot.ingest([folder])
    indexed = {a.title for a in (batch_bot.index.catalog.article(i) for i in report.added) if a}
    assert set(titles) <= indexed, (set(titles) - indexed, report.skipped)
    named = {Path(re.sub(r":(?:row|line|item) \d+$", "", w)).name for w, _ in report.skipped}
    for name, (data, _) in zip(bad_names, bad, strict=True):
        if not any(isinstance(x, Article) for x in parse_file(folder / name)):  # really bad
            assert name in named, (name, data[:60], report.skipped)
    assert all(reason.strip() for _, reason in report.skipped)


@settings(FAST, max_examples=25)
@given(bad=st.lists(bad_files, min_size=1, max_size=4), n_good=st.integers(1, 4))
def test_mixed_batch_keeps_every_good_article_and_names_every_bad_file(
    batch_bot: Any, scratch: Path, bad: list[tuple[bytes, str]], n_good: int
) -> None:
    _batch(batch_bot, scratch, bad, n_good)


@pytest.mark.slow
@settings(SLOW, max_examples=300)
@given(bad=st.lists(bad_files, min_size=1, max_size=8), n_good=st.integers(1, 8))
def test_mixed_batch_keeps_every_good_article_and_names_every_bad_file_slow(
    batch_bot: Any, scratch: Path, bad: list[tuple[bytes, str]], n_good: int
) -> None:
    _batch(batch_bot, scratch, bad, n_good)
