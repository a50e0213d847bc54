"""WSGI entry point for gunicorn (gunicorn.conf.py): ``tracker.wsgi:app``.

The configuration comes from the environment: TRACKER_ENV=production, SECRET_KEY, DATABASE_URL…
"""

from tracker import create_app

app = create_app()
