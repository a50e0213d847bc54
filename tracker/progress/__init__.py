"""Owners record values and spending; everyone in scope reads history; review of periods."""

from tracker.progress.routes import bp

__all__ = ["bp"]
