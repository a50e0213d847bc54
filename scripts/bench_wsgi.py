"""WSGI entry for the page benchmark (gunicorn "scripts.bench_wsgi:app").

The app as deployed (tracker.wsgi: templates compiled when a worker starts); when the app has
no /healthz route yet, a hello-world route is added here (benchmark only) so that the pages
can be compared with the cheapest request the same server answers.
"""

from tracker.wsgi import app

if not any(rule.rule == "/healthz" for rule in app.url_map.iter_rules()):

    @app.route("/bench-hello")
    def bench_hello():
        return "ok"
