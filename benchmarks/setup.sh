#!/usr/bin/env bash
# Install the peers and tools the benchmark compares Broadsheet against.
#
#   bash benchmarks/setup.sh
#
# - newsboat and tmux from Debian (apt-get; needs root),
# - lemon24/reader (`reader[cli]` from PyPI) in its OWN virtual environment,
#   benchmarks/.peers/lemon24: its package imports as `reader`, like ours,
#   and would shadow Broadsheet if installed beside it,
# - py-spy (a sampling profiler) in benchmarks/.peers/tools, for profiles.
#
# Broadsheet itself is expected to be installed already (editable), e.g.
# `python3 -m venv /tmp/venv && /tmp/venv/bin/pip install -e .`; run.py uses
# the `broadsheet` next to the Python that runs it unless --broadsheet says otherwise.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
peers="$here/.peers"
python="${PYTHON:-python3}"

if ! command -v newsboat >/dev/null || ! command -v tmux >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq newsboat tmux
fi

mkdir -p "$peers"
echo "*" > "$peers/.gitignore"
if [ ! -x "$peers/lemon24/bin/python" ] || ! "$peers/lemon24/bin/python" -c 'import reader.__main__' 2>/dev/null; then
    "$python" -m venv "$peers/lemon24"
    "$peers/lemon24/bin/pip" install -q --upgrade pip
    "$peers/lemon24/bin/pip" install -q 'reader[cli]'
fi
# reader 3.26 vendors a feedparser that imports `sgmllib`; feedparser >= 6.0.12
# no longer pulls in sgmllib3k, which provides it.
if ! (cd / && "$peers/lemon24/bin/python" -P -c 'import sgmllib' 2>/dev/null); then
    "$peers/lemon24/bin/pip" install -q sgmllib3k
fi

if [ ! -x "$peers/tools/bin/py-spy" ]; then
    "$python" -m venv "$peers/tools"
    "$peers/tools/bin/pip" install -q py-spy
fi

cd /  # lemon24/reader imports as `reader`: never from inside our checkout
echo "newsboat: $(newsboat -v | head -1)"
echo "tmux:     $(tmux -V)"
echo "lemon24/reader: $("$peers/lemon24/bin/python" -c 'import reader; print(reader.__version__)')"
echo "py-spy:   $("$peers/tools/bin/py-spy" --version)"
