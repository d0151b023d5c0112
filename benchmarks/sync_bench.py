"""Sync with a feed server, as a person would: the installed ``broadsheet`` command
against the Google Reader API test server (tests/greader_server.py) on loopback.

    python benchmarks/sync_bench.py            # 10,000 items in 50 feeds
    python benchmarks/sync_bench.py --items 2000

Measures: the initial sync until the 10,000 items are stored and searchable (the
refresh prints its summary line once they are; cleaning follows), the whole initial
refresh, a no-change sync (the whole command, start-up included), and the peak
memory (RSS) of the broadsheet processes. Targets of issue 16: stored and searchable
<= 10 s, no-change <= 0.5 s, <= 250 MB.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from greader_server import GReaderServer, GReaderState  # noqa: E402

TARGETS = {"initial stored": 10.0, "no-change sync": 0.5, "peak RSS MB": 250.0}


def broadsheet_command(explicit: str | None) -> list[str]:
    found = explicit or shutil.which("broadsheet", path=str(Path(sys.executable).parent))
    return [found] if found else [sys.executable, "-m", "reader"]


def timed_until_line(command: list[str], env: dict[str, str], marker: str) -> tuple[float, float]:
    """Seconds until a stdout line containing ``marker`` appears, and until exit."""
    start = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    seen = None
    for line in process.stdout:
        if seen is None and marker in line:
            seen = time.perf_counter() - start
        print(f"    | {line.rstrip()}")
    if process.wait() != 0:
        raise SystemExit(f"{' '.join(command)} failed")
    total = time.perf_counter() - start
    return (seen if seen is not None else total), total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--feeds", type=int, default=50)
    parser.add_argument("--broadsheet", help="the broadsheet command (default: beside this Python)")
    args = parser.parse_args()

    state = GReaderState()
    per_feed = args.items // args.feeds
    with GReaderServer(state) as server, tempfile.TemporaryDirectory() as work:
        crawled = time.time() - 3600  # crawled an hour ago: a later sync finds nothing new
        for number in range(args.feeds):
            feed = state.add_feed(
                f"http://127.0.0.1:{server.port}/feeds/f{number}.xml",
                f"Feed {number}",
                f"Folder {number % 5}",
            )
            state.crawl(feed, per_feed, at=crawled + number)
        for item in state.items[::7]:
            item.read = True
        for item in state.items[::50]:
            item.starred = True
        password = Path(work, "password")
        password.write_text("test-api-pass\n")
        env = {
            **os.environ,
            "BROADSHEET_DATA_DIR": str(Path(work, "data")),
            "BROADSHEET_CONFIG_DIR": str(Path(work, "config")),
        }
        # As an installed command runs: from cached bytecode (the first command writes it).
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        bs = broadsheet_command(args.broadsheet)
        add = [*bs, "--no-samples", "account", "add", "greader", server.url, "--user", "alice"]
        subprocess.run([*add, "--password-file", str(password)], env=env, check=True)

        print(f"initial sync of {len(state.items)} items ({args.feeds} feeds):")
        stored, initial_total = timed_until_line([*bs, "refresh", "--quiet"], env, "new article")
        found = subprocess.run(
            [*bs, "search", "--limit", "0", "word5"], env=env, capture_output=True, text=True
        )
        hits = len([line for line in found.stdout.splitlines() if line.strip()])
        no_change = []
        for _ in range(3):
            start = time.perf_counter()
            subprocess.run([*bs, "refresh", "--quiet"], env=env, check=True, capture_output=True)
            no_change.append(time.perf_counter() - start)
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        start_up = []  # for scale: a command that opens the library and lists the feeds
        for _ in range(3):
            start = time.perf_counter()
            subprocess.run([*bs, "feeds"], env=env, check=True, capture_output=True)
            start_up.append(time.perf_counter() - start)

    figures = {
        "initial stored": stored,
        "initial refresh total": initial_total,
        "no-change sync": min(no_change),
        "peak RSS MB": peak_mb,
    }
    print(f"search 'word5' finds {hits} lines of matches right after the sync")
    print(f"no-change syncs: {', '.join(f'{t:.2f} s' for t in no_change)}")
    print(f"for scale, 'broadsheet feeds' (start-up, open, list): {min(start_up):.2f} s")
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")
    for name, value in figures.items():
        target = TARGETS.get(name)
        verdict = "" if target is None else ("PASS" if value <= target else "FAIL")
        unit = "" if "MB" in name else " s"
        print(
            f"{name:<24}{value:>9.2f}{unit:<3}{'' if target is None else f'target {target:g}':>14}  {verdict}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
