#!/usr/bin/env bash
# FastAPI's own tests (run in this folder by scripts/test-targets.sh): pytest in a venv under /tmp,
# rebuilt when the requirements change. PYTHON picks the interpreter (default: python3.11, else python3).
set -euo pipefail
python=${PYTHON:-}
if [[ -z $python ]]; then
  # 3.11 is the oldest Python the pins are checked on; fall back to whatever python3 is.
  python=$(command -v python3.11 || command -v python3)
fi
stamp=$(cat requirements.txt requirements-dev.txt | sha256sum | cut -c1-12)
venv=/tmp/httpbench-fastapi-venv-$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')-$stamp
if [[ ! -x $venv/bin/pytest ]]; then
  echo "test-targets: creating $venv"
  "$python" -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check -r requirements-dev.txt
fi
echo "test-targets: pytest (targets/fastapi, $("$venv/bin/python" --version))"
PYTHONDONTWRITEBYTECODE=1 "$venv/bin/python" -m pytest -q -p no:cacheprovider
