"""The French language model of the wording review, loaded once per process, on demand.

spaCy and its French pipeline (``fr_core_news_sm``) take seconds to import and load: they
are never loaded when the application starts, only at the first review, and the web
pages review in a worker thread (``tal.journal.wording.review_in_thread``) so that the
event loop never waits. If the model cannot be loaded, ``model()`` returns None, says so
once in the log, and the review falls back to its patterns.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

MODEL = "fr_core_news_sm"

log = logging.getLogger("tal.wording")

_lock = threading.Lock()
_state: dict[str, Any] = {"loaded": False, "nlp": None}


def _load(name: str) -> Any:
    import spacy

    # The named-entity recogniser is not used (see tal.journal.analysis): leaving it out
    # halves the time of an analysis.
    return spacy.load(name, exclude=["ner"])


def model() -> Any | None:
    """The loaded pipeline, or None when it cannot be loaded (the review then uses its patterns)."""
    if _state["loaded"]:
        return _state["nlp"]
    with _lock:
        if not _state["loaded"]:
            try:
                _state["nlp"] = _load(MODEL)
            except Exception as exc:  # noqa: BLE001 - any failure means: review with the patterns
                log.warning("wording review: language model %s unavailable (%s: %s); reviewing with patterns only",
                            MODEL, type(exc).__name__, exc)
                _state["nlp"] = None
            _state["loaded"] = True
    return _state["nlp"]


def reset() -> None:
    """Forget the loaded model (the next review loads it again)."""
    with _lock:
        _state.update(loaded=False, nlp=None)


# spaCy pipelines are not documented as thread-safe: one analysis at a time.
analysis_lock = threading.Lock()
