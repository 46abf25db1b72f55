"""What the areas above the register give it, without the register importing them:
the journal and the evaluation import the register, never the reverse (see
tests/test_architecture.py). Each of them provides its functions here when its module
is imported, and the composition roots (the application, the command line, the
loader) import every area. A function nobody provided is a programming error, raised
loudly rather than leaving a page, an export or a snapshot silently short.

Provided names: `refresh` (the evaluation: recompute the snapshots of these slugs),
`evaluation` (the evaluation: the current one of an experiment), `evaluation_page`
(the evaluation: the results part of an experiment's page), `sample_sizes` (the
evaluation: units needed per arm, shown with the plan), `entries` (the journal: an
experiment's entries, as its file carries them), `recognition` (the journal: its part
of the home page).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_PROVIDED: dict[str, Callable[..., Any]] = {}


def provide(name: str, function: Callable[..., Any]) -> None:
    _PROVIDED[name] = function


def get(name: str) -> Callable[..., Any]:
    try:
        return _PROVIDED[name]
    except KeyError:
        raise RuntimeError(f"no area provides « {name} » to the register: import it in the composition root") from None
