"""The rules of DOMAIN.md as pure Python: no Flask, no SQLAlchemy imports here."""


class DomainError(ValueError):
    """A rule was broken; the message is Chinese and says what and where."""
