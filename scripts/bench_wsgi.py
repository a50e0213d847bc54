"""WSGI entry for the page benchmark (gunicorn "scripts.bench_wsgi:app").

The app as deployed; when the app has no /healthz route yet, a hello-world route is added
here (benchmark only) so that the pages can be compared with the cheapest request the same
server answers.
"""

from tracker import create_app

app = create_app()
if not any(rule.rule == "/healthz" for rule in app.url_map.iter_rules()):

    @app.route("/bench-hello")
    def bench_hello():
        return "ok"
