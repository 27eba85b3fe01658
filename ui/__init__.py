"""The Gradio chat over ``qa``: page layout, HTML rendering, uploads, charts and background jobs."""
