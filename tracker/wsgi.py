"""WSGI entry point for gunicorn (gunicorn.conf.py): ``tracker.wsgi:app``.

The configuration comes from the environment: TRACKER_ENV=production, SECRET_KEY, DATABASE_URL…
"""

from tracker import create_app
from tracker.web import warm_templates

app = create_app()
warm_templates(app)
