#!/usr/bin/env bash
# One command: install, create the SQLite database, load the demo (the seed document as
# budget year 2023, a first half-year of values and spending, demo accounts), then start
# the scheduler process and the app on http://127.0.0.1:5000/.
set -euo pipefail
cd "$(dirname "$0")"
. scripts/venv.sh
ensure_venv requirements.txt
export FLASK_APP=tracker
.venv/bin/flask --app tracker quickstart
# The scheduler is its own process (never inside web workers); stop it with the app.
.venv/bin/flask --app tracker scheduler run > instance/scheduler.log 2>&1 &
scheduler_pid=$!
trap 'kill "$scheduler_pid" 2>/dev/null || true' EXIT INT TERM
echo ""
echo "定时任务进程已启动（日志：instance/scheduler.log）。"
echo "打开 http://${HOST:-127.0.0.1}:${PORT:-5000}/ 并用上面的演示账号登录（Ctrl+C 停止）。"
.venv/bin/flask --app tracker run --host "${HOST:-127.0.0.1}" --port "${PORT:-5000}"
