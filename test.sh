#!/usr/bin/env bash
# One command runs the tests: SQLite by default; with TEST_DATABASE_URL set, PostgreSQL.
# Extra arguments go to pytest, e.g. ./test.sh tests/domain -x
set -euo pipefail
cd "$(dirname "$0")"
. scripts/venv.sh
ensure_venv requirements-dev.txt
exec .venv/bin/python -m pytest "$@"
