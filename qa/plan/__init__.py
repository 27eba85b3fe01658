"""Questions across articles: recognise the form (``forms``), run its plan with the coverage
tools and the claim checker (``tools``, ``claims``, ``execute``); ``types`` holds the data."""
