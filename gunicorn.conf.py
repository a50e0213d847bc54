"""gunicorn settings for tracker, read from the environment (see README「部署（生产环境）」).

    gunicorn --config gunicorn.conf.py        # the app is tracker.wsgi:app

| variable | default | meaning |
|---|---|---|
| TRACKER_BIND | 127.0.0.1:8000 (or HOST:PORT) | address to listen on; nginx proxies to it |
| TRACKER_WORKERS | 2 × CPU + 1 | worker processes (sync) |
| TRACKER_THREADS | 1 | threads per worker |
| TRACKER_TIMEOUT | 120 | seconds before a silent worker is restarted (long jobs never run in the web) |
| TRACKER_LOG_DIR | (unset: stdout/stderr → journald / docker logs) | access.log and error.log go there |
| TRACKER_LOG_LEVEL | info | error log level |
| TRACKER_FORWARDED_ALLOW_IPS | 127.0.0.1 | proxies whose X-Forwarded-* gunicorn trusts |

The app itself honours X-Forwarded-For/-Proto/-Host only with TRACKER_PROXY_COUNT ≥ 1 (ProxyFix).
"""

import multiprocessing
import os

wsgi_app = "tracker.wsgi:app"

_host = os.environ.get("HOST", "127.0.0.1")
_port = os.environ.get("PORT", "8000")
bind = [os.environ.get("TRACKER_BIND", f"{_host}:{_port}")]

workers = int(os.environ.get("TRACKER_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("TRACKER_THREADS", "1"))
worker_class = "gthread" if threads > 1 else "sync"
timeout = int(os.environ.get("TRACKER_TIMEOUT", "120"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then (memory held by a large import or export is given back).
max_requests = int(os.environ.get("TRACKER_MAX_REQUESTS", "2000"))
max_requests_jitter = max_requests // 10

_log_dir = os.environ.get("TRACKER_LOG_DIR")
accesslog = os.path.join(_log_dir, "access.log") if _log_dir else "-"
errorlog = os.path.join(_log_dir, "error.log") if _log_dir else "-"
loglevel = os.environ.get("TRACKER_LOG_LEVEL", "info")
# Time taken (µs) at the end of each access line, to find slow pages.
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(D)s'

forwarded_allow_ips = os.environ.get("TRACKER_FORWARDED_ALLOW_IPS", "127.0.0.1")
proxy_allow_ips = forwarded_allow_ips
# Each worker builds its own app and database pool (no connections shared across fork).
preload_app = False
