# Sourced by quickstart.sh and test.sh: make .venv and install a requirements file once
# per change of its contents.
ensure_venv() {
  local req="$1"
  local py="${PYTHON:-python3}"
  if [ ! -x .venv/bin/python ]; then
    "$py" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' || {
      echo "需要 Python 3.11 或更高版本（当前：$("$py" --version 2>&1)）。可用 PYTHON=/path/to/python3.11 指定。" >&2
      exit 1
    }
    "$py" -m venv .venv
    .venv/bin/python -m pip install -q --upgrade pip
  fi
  local stamp=".venv/.installed-$(basename "$req")"
  local want
  want=$(cat requirements*.txt | sha256sum | cut -d' ' -f1)
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    .venv/bin/python -m pip install -q -r "$req"
    echo "$want" > "$stamp"
  fi
}
