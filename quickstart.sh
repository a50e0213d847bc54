#!/usr/bin/env bash
# One command: install, create the SQLite database, load the demo (the seed document as
# budget year 2023 and demo accounts), then start the app on http://127.0.0.1:5000/.
set -euo pipefail
cd "$(dirname "$0")"
. scripts/venv.sh
ensure_venv requirements.txt
export FLASK_APP=tracker
.venv/bin/flask --app tracker quickstart
echo ""
echo "打开 http://${HOST:-127.0.0.1}:${PORT:-5000}/ 并用上面的演示账号登录（Ctrl+C 停止）。"
exec .venv/bin/flask --app tracker run --host "${HOST:-127.0.0.1}" --port "${PORT:-5000}"
