"""The rules of DOMAIN.md as pure Python: no Flask, no SQLAlchemy imports here."""


class DomainError(ValueError):
    """A rule was broken; the message is Chinese and says what and where."""


class InputError(DomainError):
    """Bad input, per form field (field name → message); each message says what is wrong."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("；".join(errors.values()))


class ConflictError(DomainError):
    """Someone else changed the same thing first; the user's input is kept and shown again."""
