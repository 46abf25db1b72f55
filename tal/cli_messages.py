"""argparse's own messages in French, as the rest of the command line, and its usage
errors with the exit status of every user error (1, not argparse's 2).

argparse looks its messages up through a module-level ``_`` (gettext); ``Parser``
replaces it by this table, so that `tal load` without a path says « les arguments
suivants sont obligatoires : CHEMIN » rather than English. Typography: a narrow
no-break space before « : ».
"""

from __future__ import annotations

import argparse
import sys

NNBSP = "\u202f"

FRENCH = {
    "usage: ": f"utilisation{NNBSP}: ",
    "%(prog)s: error: %(message)s\n": f"%(prog)s{NNBSP}: erreur{NNBSP}: %(message)s\n",
    "argument %(argument_name)s: %(message)s": f"argument %(argument_name)s{NNBSP}: %(message)s",
    "the following arguments are required: %s": f"les arguments suivants sont obligatoires{NNBSP}: %s",
    "unrecognized arguments: %s": f"arguments non reconnus{NNBSP}: %s",
    "invalid choice: %(value)r (choose from %(choices)s)":
        f"choix non valable{NNBSP}: %(value)r (au choix{NNBSP}: %(choices)s)",
    "invalid %(type)s value: %(value)r": f"valeur non valable pour %(type)s{NNBSP}: %(value)r",
    "expected one argument": "une valeur est attendue",
    "expected at least one argument": "au moins une valeur est attendue",
    "expected at most one argument": "au plus une valeur est attendue",
    "ambiguous option: %(option)s could match %(matches)s":
        f"option ambiguë{NNBSP}: %(option)s peut désigner %(matches)s",
    "not allowed with argument %s": "incompatible avec l'argument %s",
    "one of the arguments %s is required": "l'un des arguments %s est obligatoire",
    "ignored explicit argument %r": "argument explicite ignoré %r",
    "show this help message and exit": "afficher cette aide et quitter",
    "positional arguments": "arguments",
    "options": "options",
}


def french(message: str) -> str:
    return FRENCH.get(message, message)


class Parser(argparse.ArgumentParser):
    """The `tal` parser (its sub-commands' parsers are of the same class)."""

    def __init__(self, *args, **kwargs) -> None:
        argparse._ = french
        super().__init__(*args, **kwargs)

    def error(self, message: str):
        self.print_usage(sys.stderr)
        self.exit(1, french("%(prog)s: error: %(message)s\n") % {"prog": self.prog, "message": message})
