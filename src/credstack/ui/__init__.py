"""Page helpers shared by every app's pages: the workspace sidebar (``nav``), checked uploads
(``uploads``), spreadsheet-safe CSV exports (``exports``), forms that hand out a secret once
(``forms``), RFC 9457 problem responses (``problems``) and bidi isolates for values in a translated
sentence (``bidi``).

A plain package, not an app: no models, no templates, and no import of any credstack app, so every
app may use it (it sits at the bottom of the Django layers, beside ``organizations``; see
docs/architecture.md).
"""
