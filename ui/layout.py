"""The Gradio page: the chat column, the side panel, the events between them and ``launch``.
Gradio is imported when the page is built, never when this module is."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ui.charts import author_choices, chart_frames, outlet_choices, replot_needed
from ui.chat import ChatSession, make_ask_api, make_respond, make_session_respond
from ui.jobs import DemoLoader, IngestGate, ingest_uploads
from ui.render import day_note_html, render_stats
from ui.uploads import UPLOAD_SUFFIXES, render_upload_report

if TYPE_CHECKING:
    import gradio as gr

    from qa.api import ArticleQA

CSS = (Path(__file__).resolve().parent / "static" / "app.css").read_text(encoding="utf-8")
#: the question as typed when it was sent, numbered, and the box emptied (static/chat.js)
SEND_JS = "(...args) => window.aqaSend ? window.aqaSend(args) : args"
CHAT_JS = (Path(__file__).resolve().parent / "static" / "chat.js").read_text(encoding="utf-8")
#: accessible names Gradio's components lack (see the script's comment)
A11Y_JS = (Path(__file__).resolve().parent / "static" / "a11y.js").read_text(encoding="utf-8")

HEADER = (
    "# Article QA\n"
    "Ask about the news articles in the collection. Every answer quotes the passages it comes "
    "from; when the articles do not hold the answer, it says so."
)

EXAMPLES = [
    "What did Tokayev say about trade with China?",
    "Who was arrested in South Korea in February 2017?",
    "How many people died in the Addis Ababa rubbish landslide?",
    "How many TASS articles were published on 15 March 2017?",
    "How much was the gold coin stolen from the Berlin museum worth?",
]


@dataclass(frozen=True)
class AppConfig:
    """Serving options that the UI needs to know about."""

    upload_dir: Path
    max_file_bytes: int = 25 * 1024 * 1024
    concurrency: int = 2
    refresh_seconds: float = 3.0


def gradio_env() -> None:
    """Offline, no telemetry: must run before gradio is imported."""
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


@dataclass(frozen=True)
class ChatWidgets:
    chatbot: gr.Chatbot
    msg: gr.Textbox
    send: gr.Button


@dataclass(frozen=True)
class PanelWidgets:
    date_from: gr.DateTime
    date_to: gr.DateTime
    sources: gr.Dropdown
    authors: gr.Dropdown
    mode: gr.Radio
    answerer: gr.Radio
    retrieval: gr.Radio
    stats_html: gr.HTML
    src_plot: gr.BarPlot
    day_plot: gr.LinePlot
    day_note: gr.HTML  #: "37 articles outside this span not shown", under the chart (wraps)
    files: gr.File
    upload_report: gr.Markdown


def build_app(
    bot: ArticleQA,
    config: AppConfig,
    loader: DemoLoader | None = None,
    gate: IngestGate | None = None,
) -> gr.Blocks:
    """The Blocks app. Every callback only collects options, calls ``bot`` and renders."""
    gradio_env()
    import gradio as gr

    gate = gate or (loader.gate if loader else IngestGate())
    first_stats = bot.stats()
    with gr.Blocks(title="Article QA", fill_height=True) as demo:
        turns = gr.State([])
        stats_key = gr.State("")
        with gr.Row(equal_height=False):
            chat = _chat_column()
            panel = _side_panel(bot, first_stats)
        _wire_chat(bot, config, chat, panel, turns)
        _wire_panel(demo, bot, config, gate, loader, panel, stats_key)
    return demo


# =============================================================================== widgets
def _chat_column() -> ChatWidgets:
    """The left column: title, chat, question box with its button, examples."""
    import gradio as gr

    with gr.Column(scale=3, min_width=480):
        gr.Markdown(HEADER, elem_id="aqa-title")
        chatbot = gr.Chatbot(
            label="Chat",
            show_label=False,
            height="68vh",
            elem_id="aqa-chat",
            latex_delimiters=[],
            feedback_options=None,
            buttons=[],  # a copy button would copy the HTML markup
            placeholder="Ask a question about the articles, or pick an example below.",
            group_consecutive_messages=False,
        )
        with gr.Row():
            msg = gr.Textbox(
                placeholder="e.g. What did Tokayev say about trade with China?",
                show_label=False,
                scale=8,
                autofocus=True,
                submit_btn=False,
                elem_id="aqa-input",
                lines=1,
                max_lines=4,
            )
            send = gr.Button("Ask", variant="primary", scale=1, min_width=80,
                             elem_id="aqa-send")
        gr.Examples(EXAMPLES, inputs=[msg], label="Try")
    return ChatWidgets(chatbot=chatbot, msg=msg, send=send)


def _side_panel(bot: ArticleQA, first_stats: dict[str, Any]) -> PanelWidgets:
    """The right column: filters, answering options, the collection, uploads."""
    import gradio as gr

    with gr.Column(scale=2, min_width=320, elem_id="aqa-panel"):
        with gr.Accordion("Filters for the next questions", open=True):
            with gr.Row():
                date_from = gr.DateTime(label="From", include_time=False, type="string",
                                        value="", elem_id="aqa-from")
                date_to = gr.DateTime(label="To", include_time=False, type="string",
                                      value="", elem_id="aqa-to")
            sources = gr.Dropdown(label="Outlets", multiselect=True,
                                  choices=outlet_choices(first_stats),
                                  allow_custom_value=True, elem_id="aqa-sources")
            authors = gr.Dropdown(label="Authors", multiselect=True,
                                  choices=author_choices(bot), allow_custom_value=True,
                                  elem_id="aqa-authors")
        with gr.Accordion("Answering", open=True):
            mode = gr.Radio([("Fast", "fast"), ("Accurate", "accurate")], value="fast",
                            label="Mode", elem_id="aqa-mode")
            answerer = gr.Radio(
                [("Extractive (quotes)", "extractive"), ("Local LLM", "llm")],
                value="extractive", label="Answerer", elem_id="aqa-answerer",
            )
            retrieval = gr.Radio(
                [("Hybrid", "hybrid"), ("Keywords (BM25)", "bm25"), ("Dense", "dense")],
                value="hybrid", label="Retrieval", elem_id="aqa-retrieval",
            )
        stats_html, src_plot, day_plot, day_note = _collection_box()
        with gr.Accordion("Add articles", open=False):
            files = gr.File(
                label="txt, md, csv, tsv, jsonl or json",
                file_count="multiple",
                file_types=list(UPLOAD_SUFFIXES),
                elem_id="aqa-upload",
            )
            upload_report = gr.Markdown(elem_id="aqa-upload-report")
    return PanelWidgets(
        date_from=date_from, date_to=date_to, sources=sources, authors=authors, mode=mode,
        answerer=answerer, retrieval=retrieval, stats_html=stats_html, src_plot=src_plot,
        day_plot=day_plot, day_note=day_note, files=files, upload_report=upload_report,
    )


def _collection_box() -> tuple[gr.HTML, gr.BarPlot, gr.LinePlot, gr.HTML]:
    """The collection summary with its per-outlet and per-day charts."""
    import gradio as gr

    with gr.Accordion("Collection", open=True):
        stats_html = gr.HTML(elem_id="aqa-stats")
        with gr.Tabs():
            with gr.Tab("Per outlet"):
                src_plot = gr.BarPlot(x="source", y="articles", sort="-y", height=220,
                                      x_label_angle=-35, show_label=False,
                                      x_title=" ", y_title="articles")
            with gr.Tab("Per day"):
                day_plot = gr.LinePlot(x="day", y="articles", height=220,
                                       show_label=False, x_title=" ",
                                       y_title="articles")
                # the plot's own caption was cut off at the panel's width: a plain line wraps
                day_note = gr.HTML(elem_id="aqa-day-note")
    return stats_html, src_plot, day_plot, day_note


# =============================================================================== events
def _wire_chat(
    bot: ArticleQA, config: AppConfig, chat: ChatWidgets, panel: PanelWidgets, turns: gr.State
) -> None:
    """The chat (API ``chat``, from Enter or the button), clearing it, and the ``ask`` API."""
    import gradio as gr

    respond = make_respond(bot)
    panel_inputs = [panel.date_from, panel.date_to, panel.sources, panel.authors, panel.mode, panel.answerer,
                    panel.retrieval]
    ask_outputs = [chat.chatbot, turns, chat.msg]
    common = {"concurrency_limit": config.concurrency, "concurrency_id": "ask",
              "show_progress": "minimal"}
    # the page: the box empties at once (in the browser, before the question is queued), and the
    # session answers its questions in the order the page numbered them (seq), one at a time
    session = gr.State(ChatSession())
    seq = gr.Number(visible=False, precision=0, elem_id="aqa-seq")
    for trigger in (chat.msg.submit, chat.send.click):
        trigger(make_session_respond(bot), [chat.msg, session, *panel_inputs, seq], ask_outputs, js=SEND_JS,
                api_visibility="private", trigger_mode="multiple", **common)  # type: ignore[arg-type]
    # API clients (API name ``chat``) send their own history: the same answer, stateless
    api_trigger = gr.Button(visible=False, elem_id="aqa-api-chat")
    api_trigger.click(respond, [chat.msg, chat.chatbot, turns, *panel_inputs], ask_outputs, api_name="chat",
                      **common)  # type: ignore[arg-type]
    chat.chatbot.clear(lambda s: s.clear(), [session], [turns], api_visibility="private", queue=False)
    gr.api(make_ask_api(bot), api_name="ask", concurrency_limit=config.concurrency,
           concurrency_id="ask")


def _wire_panel(
    demo: gr.Blocks,
    bot: ArticleQA,
    config: AppConfig,
    gate: IngestGate,
    loader: DemoLoader | None,
    panel: PanelWidgets,
    stats_key: gr.State,
) -> None:
    """Uploads (API ``add_files``), then the panel refresh: on upload, page load and a timer."""
    import gradio as gr

    refresh = _refresh_fn(bot, loader)
    panel_out = [panel.stats_html, panel.src_plot, panel.day_plot, panel.day_note, panel.sources,
                 panel.authors, stats_key]
    up = panel.files.upload(_add_files_fn(bot, config, gate), [panel.files], [panel.upload_report],
                            api_name="add_files", concurrency_limit=1, concurrency_id="ingest")
    up.then(refresh, [stats_key], panel_out, api_visibility="private", queue=False)
    demo.load(refresh, [stats_key], panel_out, api_visibility="private", queue=False)
    timer = gr.Timer(config.refresh_seconds)
    timer.tick(refresh, [stats_key], panel_out, api_visibility="private",
               show_progress="hidden", queue=False)


def _add_files_fn(bot: ArticleQA, config: AppConfig, gate: IngestGate) -> Callable[..., str]:
    import gradio as gr

    def add_files(files: list[str] | None, progress: gr.Progress = gr.Progress()) -> str:  # noqa: B008
        paths = [Path(f) for f in (files or [])]
        reports = ingest_uploads(bot, gate, paths, config.upload_dir, config.max_file_bytes, progress)
        return render_upload_report(reports)

    return add_files


def _refresh_fn(bot: ArticleQA, loader: DemoLoader | None) -> Callable[[str], tuple[Any, ...]]:
    import gradio as gr

    def refresh(key: str) -> tuple[Any, ...]:
        stats = bot.stats()
        html_stats = render_stats(stats, loader.status() if loader else None)
        new_key = f"{stats['articles']}|{','.join(stats['sources'])}"
        if not replot_needed(key, new_key):
            return html_stats, gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(), key
        src, days, day_caption = chart_frames(bot, stats)
        top_src = float(src["articles"].max()) if len(src) else 1.0
        top_day = float(days["articles"].max()) if len(days) else 1.0
        return (
            html_stats,
            gr.BarPlot(value=src, y_lim=[0, top_src * 1.08]),
            gr.LinePlot(value=days, y_lim=[0, top_day * 1.08]),
            day_note_html(day_caption),
            gr.Dropdown(choices=outlet_choices(stats)),
            gr.Dropdown(choices=author_choices(bot)),
            new_key,
        )

    return refresh


# =============================================================================== serving
def launch(
    demo: gr.Blocks,
    host: str,
    port: int,
    auth: tuple[str, str] | None,
    config: AppConfig,
    block: bool = True,
    quiet: bool = False,
) -> None:
    """Queue + launch with the app's theme, CSS and limits."""
    import gradio as gr

    demo.queue(default_concurrency_limit=config.concurrency, max_size=64)
    demo.launch(
        server_name=host,
        server_port=port,
        auth=auth,
        auth_message="Article QA: sign in" if auth else None,
        max_file_size=config.max_file_bytes,
        prevent_thread_lock=not block,
        show_error=False,
        quiet=quiet,
        theme=gr.themes.Soft(
            primary_hue="blue",
            neutral_hue="slate",
            font=[gr.themes.LocalFont("IBM Plex Sans", weights=(400, 600, 700)),
                  "ui-sans-serif", "system-ui", "sans-serif"],
        ).set(  # text on blue at >= 4.5:1 (WCAG AA; the theme's blue-500 gave 3.0-3.7)
            button_primary_background_fill="*primary_700",
            button_primary_background_fill_hover="*primary_800",
            block_label_text_color="*primary_800",
            block_title_text_color="*primary_800",
            block_info_text_color="*neutral_600",
            checkbox_label_background_fill_selected="*primary_700",
        ),
        css=CSS,
        head=f"<script>{A11Y_JS}</script><script>{CHAT_JS}</script>",
        footer_links=["api"],
        ssr_mode=False,
        mcp_server=False,
    )
