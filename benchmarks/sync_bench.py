"""Sync with a feed server, as a person would: the installed ``broadsheet`` command
against the Google Reader API test server (tests/greader_server.py) on loopback.

    python benchmarks/sync_bench.py            # 10,000 items in 50 feeds
    python benchmarks/sync_bench.py --items 2000 --runs 9
    python benchmarks/sync_bench.py --serve    # set up, then keep the server up (profiling)

Measures: the initial sync until the 10,000 items are stored and searchable (the
refresh prints its summary line once they are; cleaning follows), the whole initial
refresh, a no-change sync (the whole ``broadsheet refresh`` command, start-up
included, and the same sync run in-process, both the median and range of ``--runs``
runs), and the peak memory (RSS) of the broadsheet processes. Targets of issue 16:
stored and searchable <= 10 s, no-change <= 0.5 s, <= 250 MB. The load average is
printed with each figure: on a busy machine the figures are worse.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
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


def timed_runs(run: Callable[[], object], count: int) -> list[float]:
    times = []
    for _ in range(count):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return times


def spread(times: list[float]) -> str:
    load = os.getloadavg()[0]
    return (
        f"median {statistics.median(times):.3f} s, range {min(times):.3f}-{max(times):.3f} s "
        f"({len(times)} runs, load average {load:.2f})"
    )


def fill(state: GReaderState, server: GReaderServer, items: int, feeds: int) -> None:
    crawled = time.time() - 3600  # crawled an hour ago: a later sync finds nothing new
    for number in range(feeds):
        feed = state.add_feed(
            f"http://127.0.0.1:{server.port}/feeds/f{number}.xml",
            f"Feed {number}",
            f"Folder {number % 5}",
        )
        state.crawl(feed, items // feeds, at=crawled + number)
    for item in state.items[::7]:
        item.read = True
    for item in state.items[::50]:
        item.starred = True


# The same no-change sync without the command's start-up (open, sync, settle, close),
# timed inside one process that imported everything first; the server stays in this
# one, as it does for the whole command.
IN_PROCESS = """
import json, sys, time
from reader.core.library import Library, sync_and_settle
import reader.core.sync.greader
times = []
for _ in range(int(sys.argv[3])):
    start = time.perf_counter()
    with Library.open(sys.argv[1], config_dir_path=sys.argv[2], samples=False) as library:
        sync_and_settle(library)
    times.append(time.perf_counter() - start)
print(json.dumps(times))
"""


def in_process_syncs(data: Path, config: Path, runs: int) -> list[float]:
    command = [sys.executable, "-c", IN_PROCESS, str(data), str(config), str(runs)]
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    return [float(value) for value in json.loads(done.stdout)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--feeds", type=int, default=50)
    parser.add_argument("--runs", type=int, default=7, help="no-change syncs to time (>= 5)")
    parser.add_argument("--broadsheet", help="the broadsheet command (default: beside this Python)")
    parser.add_argument(
        "--serve", action="store_true",
        help="after the initial sync, print the environment and keep the server up",
    )  # fmt: skip
    args = parser.parse_args()

    state = GReaderState()
    with GReaderServer(state) as server, tempfile.TemporaryDirectory() as work:
        fill(state, server, args.items, args.feeds)
        password = Path(work, "password")
        password.write_text("test-api-pass\n")
        data, config = Path(work, "data"), Path(work, "config")
        env = {**os.environ, "BROADSHEET_DATA_DIR": str(data), "BROADSHEET_CONFIG_DIR": str(config)}
        # As an installed command runs: from cached bytecode (the first command writes it).
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        bs = broadsheet_command(args.broadsheet)
        config.mkdir()
        # The benchmark syncs everything the server holds, whatever the default cap.
        (config / "config.toml").write_text(f"[sync]\ninitial_items = {args.items}\n")
        add = [*bs, "--no-samples", "account", "add", "greader", server.url, "--user", "alice"]
        subprocess.run([*add, "--password-file", str(password)], env=env, check=True)

        print(f"initial sync of {len(state.items)} items ({args.feeds} feeds):")
        load_before = os.getloadavg()[0]
        stored, initial_total = timed_until_line([*bs, "refresh", "--quiet"], env, "new article")
        # Every item's text begins "Story N:": each is found (one line per article, its
        # snippet on the next, indented).
        found = subprocess.run(
            [*bs, "search", "--limit", "0", "story"], env=env, capture_output=True, text=True
        )
        hits = len([line for line in found.stdout.splitlines() if line[:1].isdigit()])
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        if args.serve:
            print(f"BROADSHEET_DATA_DIR={data} BROADSHEET_CONFIG_DIR={config}  (Ctrl-C to stop)")
            try:
                threading.Event().wait()
            except KeyboardInterrupt:
                return 0

        refresh = [*bs, "refresh", "--quiet"]
        command = timed_runs(
            lambda: subprocess.run(refresh, env=env, check=True, capture_output=True), args.runs
        )
        in_process = in_process_syncs(data, config, args.runs)
        start_up = timed_runs(  # for scale: a command that opens the library, lists feeds
            lambda: subprocess.run([*bs, "feeds"], env=env, check=True, capture_output=True),
            args.runs,
        )

    print(f"search 'story' finds {hits:,} articles right after the sync (of {args.items:,})")
    print(f"initial sync: load average {load_before:.2f} before it")
    print(f"no-change sync, whole 'broadsheet refresh' command: {spread(command)}")
    print(f"no-change sync, in-process (open, sync, settle):   {spread(in_process)}")
    print(f"for scale, 'broadsheet feeds' (start-up, open, list): {spread(start_up)}")
    figures = {
        "initial stored": stored,
        "initial refresh total": initial_total,
        "no-change sync": statistics.median(command),
        "peak RSS MB": peak_mb,
    }
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
