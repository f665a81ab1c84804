"""gunicorn for production: `gunicorn -c config/gunicorn.conf.py config.wsgi`.

Every value can be overridden from the environment (gunicorn also reads
GUNICORN_CMD_ARGS). Web processes are stateless: add processes or machines behind
the proxy to serve more associates.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
# Sync workers: console requests are short and database-bound; two per core plus one.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then so a slow leak never grows without bound.
max_requests = 2000
max_requests_jitter = 200
# The reverse proxy's X-Forwarded-* headers are trusted from these addresses only.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Load the app before forking: faster starts, shared memory for the code.
preload_app = True
