"""Admin pages: users, departments, budget years, settings, jobs."""

from tracker.admin.routes import bp

__all__ = ["bp"]
