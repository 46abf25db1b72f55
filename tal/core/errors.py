"""Domain errors: raised by services, turned into a 4xx page or JSON at the edge."""

from __future__ import annotations


class Msg(str):
    """A parameter of an error message that is itself a message id, translated with it;
    with `params`, a template (its text filled in French) whose own parameters may be
    Msg too: a message built of parts (« ligne 3, colonne « x » : <why> ») is translated
    whole at render time."""

    def __new__(cls, template: str, params: dict | None = None) -> Msg:
        text = super().__new__(cls, template % params if params else template)
        text.template = template
        text.params = params or {}
        return text

    def translated(self, gettext) -> str:
        if not self.params:
            return gettext(self.template)
        return gettext(self.template) % _translated(self.params, gettext)


def _translated(params: dict, gettext) -> dict:
    return {k: v.translated(gettext) if isinstance(v, Msg) else v for k, v in params.items()}


class DomainError(Exception):
    """Invalid input or a forbidden change. `field` names the field or key path.
    `message` is a message id, or with `params` a template (« doit être %(type)s »)
    filled in French in `message` and in the reader's language by `translated`."""

    status_code = 400

    def __init__(self, message: str, field: str | None = None, params: dict | None = None) -> None:
        text = message % params if params else message
        super().__init__(text)
        self.message = text
        self.template = message
        self.params = params or {}
        self.field = field

    def translated(self, gettext) -> str:
        """The message in the language of `gettext`."""
        if not self.params:
            return gettext(self.message)
        return gettext(self.template) % _translated(self.params, gettext)

    def __str__(self) -> str:
        return f"{self.field} : {self.message}" if self.field else self.message


class NotFound(DomainError):
    status_code = 404


class Forbidden(DomainError):
    status_code = 403


class Conflict(DomainError):
    status_code = 409


class FormErrors(DomainError):
    """Every field of a form that is wrong, reported at once: `errors` holds one
    DomainError per field, in the order of the form; the first also gives this
    error's own message and field (for code that reads only one)."""

    def __init__(self, errors: list[DomainError]) -> None:
        super().__init__(errors[0].message, errors[0].field)
        self.errors = list(errors)


def each_error(error: DomainError | None) -> list[DomainError]:
    """The errors of a form: several for FormErrors, else the one (or none)."""
    if error is None:
        return []
    return list(getattr(error, "errors", None) or [error])
