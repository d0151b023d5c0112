"""Broadsheet against newsboat and lemon24/reader on one synthetic feed farm.

    bash benchmarks/setup.sh                  # once: newsboat, tmux, lemon24/reader, py-spy
    /tmp/venv/bin/python benchmarks/run.py    # everything (~20-30 min on 2 cores)
    /tmp/venv/bin/python benchmarks/run.py --quick            # 20 feeds, 10k-article library
    /tmp/venv/bin/python benchmarks/run.py --only a,b,c       # some scenarios

Scenarios (issue 8):
  a  first refresh, 200 feeds x 30 items, 200 ms latency per response
  b  second refresh of the same (the farm answers 304 to conditional requests)
  c  (a) with no latency
  d  500 feeds x 200 items = 100,000 articles, no latency: first and second refresh
  e  time to first paint of the TUI on the (d) library, through tmux, beside
     newsboat on its (d) cache and a bare Textual app
  f  on that library: TUI peak memory, opening the all-articles view, j/k
     key-to-screen latency (tmux), search latency (Library.search in-process)

Each refresh is one child process: wall time (perf_counter around it), CPU
time (user + sys) and peak RSS come from ``os.wait4`` on that child. The farm
(benchmarks/farm.py) runs in its own process; it shares the machine's cores
with the client, the same for every system. Results go to
benchmarks/results/run-<time>.json (and latest.json); work directories
(libraries, caches) stay in benchmarks/results/work-<mode>/ so (e)/(f) can be
rerun with --only e,f.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import platform
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import farm as farmlib  # noqa: E402
import tui_probe  # noqa: E402

RESULTS = HERE / "results"
PEERS = HERE / ".peers"
LEMON24_PYTHON = PEERS / "lemon24" / "bin" / "python"
PY_SPY = PEERS / "tools" / "bin" / "py-spy"
SCENARIOS = "abcdef"
PR_SET_CHILD_SUBREAPER = 36

# Twenty fixed queries in Broadsheet's search language over the farm's vocabulary:
# common and rare words, phrases, prefixes, exclusions, filters, a unique token, no match.
QUERIES = [
    "harbour",
    "council budget",
    '"river valley"',
    "lighthouse",
    "glacier -flood",
    "mort*",
    "tele*",
    "election turnout coalition",
    "the",
    "is:unread harbour",
    "feed:Ashford railway",
    "after:2026-10-15 festival",
    "before:2026-10-20 bakery",
    '"solar grid"',
    "zqf250i100",
    "saffron vanilla cocoa",
    "quietly approves",
    "museum -the",
    "crimson emerald ivory",
    "nonexistentword",
]


@dataclass
class Config:
    quick: bool
    feeds: int  # (a)-(c)
    items: int
    latency: float
    big_feeds: int  # (d)
    big_items: int
    keys: int  # j/k presses in (f)
    paint_repeats: int
    view_repeats: int
    timeout: float
    newsboat_threads: tuple[int, ...]
    port: int
    hosts: int
    profile: bool = False


def make_config(args: argparse.Namespace) -> Config:
    full = Config(
        quick=False,
        feeds=200,
        items=30,
        latency=0.2,
        big_feeds=500,
        big_items=200,
        keys=100,
        paint_repeats=3,
        view_repeats=5,
        timeout=1200,
        newsboat_threads=(1, 8, 32),
        port=args.port,
        hosts=args.hosts,
    )
    if not args.quick:
        return full
    return replace(
        full, quick=True, feeds=20, big_feeds=50, keys=20, paint_repeats=2, view_repeats=3,
        timeout=300,
    )  # fmt: skip


# -- measuring a child process -------------------------------------------------------


@dataclass
class Measure:
    wall: float
    cpu: float
    user: float
    sys: float
    peak_mb: float
    returncode: int
    timed_out: bool = False
    log: str = ""
    processes: int = 1
    reaped_orphans: int = 0
    rss_mb: float = 0.0
    tree_pss_mb: float = 0.0
    done_wall: float | None = None
    done_cpu: float | None = None
    done_peak_mb: float | None = None


# Not passed to what is measured: a user's environment has none of these (with
# PYTHONDONTWRITEBYTECODE every Python start compiles every module it imports).
DROPPED_ENV = ("PYTHONDONTWRITEBYTECODE", "PYTHONUNBUFFERED", "PYTHONPATH", "PYTHONSAFEPATH")


def child_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.lower().endswith("_proxy")
        and not key.startswith("BROADSHEET_")
        and key not in DROPPED_ENV
    }
    env.update(extra or {})
    return env


def become_subreaper() -> bool:
    """Orphaned descendants of a measured child (a worker pool's forkserver, left
    behind when the child exits) are re-parented to us, so we can reap them and
    count their CPU time. Linux only."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            out += [int(child) for child in (task / "children").read_text().split()]
    except OSError:
        pass
    return out


def _memory_mb(pid: int) -> float:
    """Proportional set size (shared pages split between the processes sharing them)."""
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
        key = "Pss:"
    except OSError:
        try:
            text = Path(f"/proc/{pid}/status").read_text()
            key = "VmRSS:"
        except OSError:
            return 0.0
    for line in text.splitlines():
        if line.startswith(key):
            return int(line.split()[1]) / 1024
    return 0.0


class TreeSampler(threading.Thread):
    """Every 0.1 s: the summed PSS of the child and every descendant seen so far."""

    def __init__(self, root: int) -> None:
        super().__init__(daemon=True)
        self.root = root
        self.seen = {root}
        self.peak_mb = 0.0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            live = [pid for pid in self.seen if Path(f"/proc/{pid}").exists()]
            for pid in list(live):
                for child in _children(pid):
                    if child not in self.seen:
                        self.seen.add(child)
                        live.append(child)
            self.peak_mb = max(self.peak_mb, sum(_memory_mb(pid) for pid in live))
            self.stop.wait(0.1)


def run_measured(
    argv: Sequence[str],
    *,
    log: Path,
    timeout: float,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    done: re.Pattern[bytes] | None = None,
) -> Measure:
    """Run argv to completion. Wall time ends when the child exits; if ``done`` is
    given, the time (and tree CPU time and peak memory so far) of the first output
    line it matches is kept too. CPU time is the CPU time is the
    child's with every descendant's (reaped by it, or by us once orphaned: run.py is a
    child subreaper and waits for the child's process group). Peak memory is the larger
    of the child's peak RSS and the peak summed PSS of its process tree (sampled)."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        started = time.perf_counter()
        proc = subprocess.Popen(
            list(argv),
            cwd=cwd,
            env=env or child_env(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        sampler = TreeSampler(proc.pid)
        sampler.start()
        box: dict[str, Any] = {}

        def reader() -> None:
            assert proc.stdout is not None
            for line in proc.stdout:
                if done is not None and "marker" not in box and done.search(line):
                    box["marker"] = time.perf_counter()
                    box["marker_cpu"] = tree_cpu(sampler)
                    box["marker_peak"] = sampler.peak_mb
                out.write(line)

        pump = threading.Thread(target=reader, daemon=True)
        pump.start()

        def waiter() -> None:
            box["wait"] = os.wait4(proc.pid, 0)
            box["end"] = time.perf_counter()

        thread = threading.Thread(target=waiter, daemon=True)
        thread.start()
        thread.join(timeout)
        timed_out = thread.is_alive()
        if timed_out:
            os.killpg(proc.pid, signal.SIGKILL)
            thread.join()
        pump.join(30)
    _, status, usage = box["wait"]
    proc.returncode = os.waitstatus_to_exitcode(status)
    user, system = usage.ru_utime, usage.ru_stime
    # Reap what the child left behind in its process group (its session, in fact).
    deadline = time.perf_counter() + 15
    lingering = 0
    while True:
        try:
            pid, _, orphan = os.wait4(-proc.pid, os.WNOHANG)
        except ChildProcessError:
            break
        if pid:
            user += orphan.ru_utime
            system += orphan.ru_stime
            lingering += 1
        elif time.perf_counter() > deadline:
            os.killpg(proc.pid, signal.SIGKILL)
            deadline += 5
        else:
            time.sleep(0.01)
    sampler.stop.set()
    sampler.join()
    text = log.read_text(errors="replace")
    return Measure(
        wall=box["end"] - started,
        cpu=user + system,
        user=user,
        sys=system,
        peak_mb=max(usage.ru_maxrss / 1024, sampler.peak_mb),
        returncode=proc.returncode,
        timed_out=timed_out,
        log=text[-2000:],
        processes=len(sampler.seen),
        reaped_orphans=lingering,
        rss_mb=usage.ru_maxrss / 1024,
        tree_pss_mb=sampler.peak_mb,
        done_wall=box["marker"] - started if "marker" in box else None,
        done_cpu=box.get("marker_cpu"),
        done_peak_mb=box.get("marker_peak"),
    )


def tree_cpu(sampler: TreeSampler) -> float:
    """user + sys so far of the sampled tree: each live process with its reaped children."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in list(sampler.seen):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # after the name: state is field 3, so utime..cstime (14-17) are at 11..14
        total += sum(int(value) for value in fields[11:15])
    return total / ticks


def run_quiet(
    argv: Sequence[str],
    *,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 600,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        list(argv),
        cwd=cwd,
        env=env or child_env(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


# -- the farm ---------------------------------------------------------------------------


class FarmServer:
    """benchmarks/farm.py in its own process."""

    def __init__(self, feeds: int, items: int, latency: float, port: int, hosts: int) -> None:
        self.feeds, self.items, self.latency = feeds, items, latency
        self.port, self.hosts = port, hosts
        self.proc: subprocess.Popen[str] | None = None
        self.info: dict[str, Any] = {}
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def urls(self) -> list[str]:
        return [farmlib.feed_url(i, self.port, self.hosts) for i in range(self.feeds)]

    def __enter__(self) -> FarmServer:
        argv = [
            sys.executable,
            str(HERE / "farm.py"),
            "--feeds",
            str(self.feeds),
            "--items",
            str(self.items),
            "--latency",
            str(self.latency),
            "--port",
            str(self.port),
            "--hosts",
            str(self.hosts),
        ]
        self.proc = subprocess.Popen(
            argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=child_env()
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            error = self.proc.stderr.read() if self.proc.stderr else ""
            raise SystemExit(f"the farm did not start:\n{error}")
        self.info = json.loads(line)
        return self

    def _get(self, path: str) -> dict[str, Any]:
        url = f"http://{farmlib.host_of(0, self.hosts)}:{self.port}{path}"
        with self._opener.open(url, timeout=10) as response:
            result: dict[str, Any] = json.loads(response.read())
            return result

    def stats(self) -> dict[str, Any]:
        return self._get("/_stats")

    def reset(self) -> None:
        self._get("/_reset")

    def __exit__(self, *_: object) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def write_opml(path: Path, urls: Sequence[str]) -> None:
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<opml version="2.0">',
        "<head><title>Broadsheet benchmark farm</title></head>",
        "<body>",
    ]
    for index, url in enumerate(urls):
        title = quoteattr(farmlib.feed_title(index))
        lines.append(f'<outline type="rss" text={title} title={title} xmlUrl={quoteattr(url)}/>')
    lines += ["</body>", "</opml>", ""]
    path.write_text("\n".join(lines))


def count_rows(db: Path, sql: str, *params: object) -> int | None:
    if not db.exists():
        return None
    try:
        connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
        try:
            return int(connection.execute(sql, params).fetchone()[0])
        finally:
            connection.close()
    except sqlite3.Error:
        return None


# -- the systems ----------------------------------------------------------------------------


class System:
    name = ""

    def __init__(self, work: Path) -> None:
        self.work = work

    def prepare(self, urls: Sequence[str], opml: Path) -> None:
        raise NotImplementedError

    def refresh_argv(self) -> tuple[list[str], dict[str, str] | None, Path | None]:
        raise NotImplementedError

    def stored(self) -> int | None:
        raise NotImplementedError

    def findable(self, token: str) -> bool | None:
        return None

    # The output line that says the refresh is done (articles stored and searchable),
    # if the command goes on after it (cleaning, full text).
    done: re.Pattern[bytes] | None = None


class Broadsheet(System):
    name = "broadsheet"
    done = re.compile(rb"^\d+ feeds: ")

    def __init__(self, work: Path, executable: str) -> None:
        super().__init__(work)
        self.exe = executable
        self.data = work / "data"
        self.config = work / "config"

    def base(self) -> list[str]:
        return [self.exe, "--data-dir", str(self.data), "--config-dir", str(self.config)]

    def prepare(self, urls: Sequence[str], opml: Path) -> None:
        self.data.mkdir(parents=True)
        self.config.mkdir(parents=True)
        # Defaults, except no timed automatic refresh while the TUI is open in (e)/(f).
        (self.config / "config.toml").write_text("[refresh]\ninterval_minutes = 0\n")
        done = run_quiet([*self.base(), "--no-samples", "import", str(opml)])
        if done.returncode != 0:
            raise SystemExit(f"broadsheet import failed:\n{done.stdout}{done.stderr}")

    def refresh_argv(self) -> tuple[list[str], dict[str, str] | None, Path | None]:
        return [*self.base(), "refresh", "--quiet"], None, None

    def stored(self) -> int | None:
        return count_rows(self.data / "library.db", "SELECT count(*) FROM articles")

    def findable(self, token: str) -> bool | None:
        done = run_quiet([*self.base(), "search", token, "--limit", "5"])
        return done.returncode == 0 and token in done.stdout


class Newsboat(System):
    def __init__(self, work: Path, threads: int) -> None:
        super().__init__(work)
        self.threads = threads
        self.name = f"newsboat-{threads}"
        self.home = work / "home"

    def files(self) -> list[str]:
        return [
            "-u",
            str(self.work / "urls"),
            "-c",
            str(self.work / "cache.db"),
            "-C",
            str(self.work / "config"),
        ]

    def env(self) -> dict[str, str]:
        return child_env(
            {
                "HOME": str(self.home),
                "XDG_CONFIG_HOME": str(self.home / ".config"),
                "XDG_DATA_HOME": str(self.home / ".local/share"),
            }
        )

    def prepare(self, urls: Sequence[str], opml: Path) -> None:
        self.home.mkdir(parents=True)
        (self.work / "urls").write_text("\n".join(urls) + "\n")
        (self.work / "config").write_text(f"reload-threads {self.threads}\n")

    def refresh_argv(self) -> tuple[list[str], dict[str, str] | None, Path | None]:
        return ["newsboat", *self.files(), "-x", "reload"], self.env(), self.work

    def tui_argv(self) -> list[str]:
        env = [
            f"{key}={value}"
            for key, value in self.env().items()
            if key.startswith(("HOME", "XDG_"))
        ]
        return ["env", *env, "newsboat", *self.files()]

    def stored(self) -> int | None:
        return count_rows(self.work / "cache.db", "SELECT count(*) FROM rss_item")

    def findable(self, token: str) -> bool | None:
        # newsboat has no index: its search is a scan of the stored text.
        found = count_rows(
            self.work / "cache.db",
            "SELECT count(*) FROM rss_item WHERE content LIKE ?",
            f"%{token}%",
        )
        return bool(found)


class Lemon24(System):
    def __init__(self, work: Path, workers: int = 8) -> None:
        super().__init__(work)
        self.workers = workers
        self.name = f"lemon24-{workers}"
        self.db = work / "db.sqlite"

    def python(self) -> list[str]:
        # -P and cwd=/: its package is also called `reader`; never pick up ours.
        return [str(LEMON24_PYTHON), "-P"]

    def prepare(self, urls: Sequence[str], opml: Path) -> None:
        self.work.mkdir(parents=True)
        (self.work / "urls").write_text("\n".join(urls) + "\n")
        script = (
            "import sys\nfrom reader import make_reader\n"
            "r = make_reader(sys.argv[1])\n"
            "for line in open(sys.argv[2]):\n    r.add_feed(line.strip())\n"
            "r.close()\n"
        )
        done = run_quiet(
            [*self.python(), "-c", script, str(self.db), str(self.work / "urls")], cwd=Path("/")
        )
        if done.returncode != 0:
            raise SystemExit(f"lemon24/reader setup failed:\n{done.stderr}")

    def cli(self, *args: str) -> list[str]:
        return [*self.python(), "-m", "reader", "--db", str(self.db), *args]

    def refresh_argv(self) -> tuple[list[str], dict[str, str] | None, Path | None]:
        # --no-scheduled: by default `update` skips feeds updated within the hour.
        argv = self.cli("update", "--no-scheduled", "--workers", str(self.workers))
        return argv, None, Path("/")

    def stored(self) -> int | None:
        return count_rows(self.db, "SELECT count(*) FROM entries")


# -- results ------------------------------------------------------------------------------------


@dataclass
class Row:
    scenario: str
    system: str
    wall: float | None
    cpu: float | None = None
    peak_mb: float | None = None
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


class Report:
    def __init__(self, config: Config) -> None:
        self.config = config
        self.rows: list[Row] = []
        self.tui: dict[str, Any] = {}
        self.profiles: dict[str, str] = {}
        self.messages: list[str] = []
        self.started = time.time()

    def add(self, row: Row) -> None:
        self.rows.append(row)
        wall = "-" if row.wall is None else f"{row.wall:.2f} s"
        print(f"  {row.scenario:<3} {row.system:<26} {wall:>10}  {row.note}", flush=True)

    def say(self, message: str) -> None:
        self.messages.append(message)
        print(f"  ! {message}", flush=True)

    def find(self, scenario: str, system: str) -> Row | None:
        for row in self.rows:
            if row.scenario == scenario and row.system == system and row.wall is not None:
                return row
        return None


def measure_refresh(
    report: Report,
    scenario: str,
    system: System,
    farm: FarmServer,
    *,
    expect_new: int,
    token: str | None,
    logs: Path,
    label: str | None = None,
) -> Row:
    argv, env, cwd = system.refresh_argv()
    farm.reset()
    measure = run_measured(
        argv,
        log=logs / f"{scenario}-{label or system.name}.log",
        timeout=report.config.timeout,
        cwd=cwd,
        env=env,
        done=system.done,
    )
    stats = farm.stats()
    stored = system.stored()
    found = system.findable(token) if token else None
    served = f"farm {stats['feeds_200']}x200 {stats['feeds_304']}x304"
    if stats["pages"]:
        served += f" {stats['pages']} pages"
    note = f"{served}; {stored} stored"
    if measure.processes > 1:
        note += f"; {measure.processes} processes"
    if found is not None:
        note += "; findable" if found else "; NOT findable"
    problems = []
    if measure.timed_out:
        problems.append(f"timed out after {report.config.timeout:g} s")
    if measure.returncode != 0:
        problems.append(f"exit {measure.returncode}")
    if stored is not None and stored < expect_new:
        problems.append(f"expected {expect_new} stored")
    if problems:
        note += " [" + ", ".join(problems) + "]"
        report.say(
            f"{scenario} {system.name}: {'; '.join(problems)}; log tail:\n{measure.log[-600:]}"
        )
    extra_rows = []
    wall, cpu, peak = measure.wall, measure.cpu, measure.peak_mb
    if measure.done_wall is not None:
        # Stored and searchable when the summary line came; the command then completed
        # full texts and cleaned before exiting: that is its own row.
        extra_rows.append(
            Row(
                scenario,
                f"{label or system.name} to exit",
                measure.wall,
                measure.cpu,
                measure.peak_mb,
                "+ full-text pages and cleaning after the summary line",
                {"returncode": measure.returncode},
            )
        )
        wall, cpu, peak = measure.done_wall, measure.done_cpu, measure.done_peak_mb
        note = "to summary line; " + note
    row = Row(
        scenario,
        label or system.name,
        wall,
        cpu,
        peak,
        note,
        {
            "exit_wall": measure.wall,
            "exit_cpu": measure.cpu,
            "exit_peak_mb": measure.peak_mb,
            "user": measure.user,
            "sys": measure.sys,
            "returncode": measure.returncode,
            "processes": measure.processes,
            "reaped_orphans": measure.reaped_orphans,
            "rss_mb": measure.rss_mb,
            "tree_pss_mb": measure.tree_pss_mb,
            "farm": stats,
            "stored": stored,
            "findable": found,
            "argv": argv,
        },
    )
    report.add(row)
    for extra in extra_rows:
        report.add(extra)
    return row


def fresh(path: Path) -> Path:
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    return path


def make_systems(
    work: Path, broadsheet_exe: str, threads: Sequence[int], lemon24: bool
) -> list[System]:
    systems: list[System] = [Broadsheet(work / "broadsheet", broadsheet_exe)]
    systems += [Newsboat(work / f"newsboat-{n}", n) for n in threads]
    if lemon24:
        systems.append(Lemon24(work / "lemon24-8"))
    return systems


def prepare_all(systems: Sequence[System], farm: FarmServer, work: Path) -> None:
    opml = work / "farm.opml"
    write_opml(opml, farm.urls())
    for system in systems:
        if system.work.exists():
            shutil.rmtree(system.work)
        system.prepare(farm.urls(), opml)


def refresh_scenarios(
    report: Report,
    wanted: str,
    config: Config,
    work: Path,
    broadsheet_exe: str,
    have_newsboat: bool,
    have_lemon24: bool,
) -> None:
    logs = work / "logs"
    threads = config.newsboat_threads if have_newsboat else ()
    last_token = farmlib.item_token(config.feeds - 1, config.items - 1)
    expect = config.feeds * config.items

    if "a" in wanted or "b" in wanted:
        print(
            f"\n(a)/(b): {config.feeds} feeds x {config.items} items, "
            f"{config.latency * 1000:g} ms latency",
            flush=True,
        )
        with FarmServer(
            config.feeds, config.items, config.latency, config.port, config.hosts
        ) as farm:
            print(f"  farm: {farm.info['bytes'] / farm.feeds / 1000:.1f} KB per feed", flush=True)
            base = fresh(work / "ab")
            systems = make_systems(base, broadsheet_exe, threads, have_lemon24)
            prepare_all(systems, farm, base)
            for system in systems:
                measure_refresh(
                    report, "a", system, farm, expect_new=expect, token=last_token, logs=logs
                )
            if "b" in wanted:
                for system in systems:
                    row = measure_refresh(
                        report, "b", system, farm, expect_new=expect, token=None, logs=logs
                    )
                    if row.extra["farm"]["feeds_200"]:
                        # Not all 304: this client sent no validators on its second fetch.
                        # Its third refresh is the all-304 case (b) is about.
                        measure_refresh(
                            report,
                            "b",
                            system,
                            farm,
                            expect_new=expect,
                            token=None,
                            logs=logs,
                            label=f"{system.name} (3rd refresh)",
                        )

    if "c" in wanted:
        print(f"\n(c): {config.feeds} feeds x {config.items} items, no latency", flush=True)
        with FarmServer(config.feeds, config.items, 0.0, config.port, config.hosts) as farm:
            base = fresh(work / "c")
            systems = make_systems(base, broadsheet_exe, threads, have_lemon24)
            prepare_all(systems, farm, base)
            for system in systems:
                measure_refresh(
                    report, "c", system, farm, expect_new=expect, token=last_token, logs=logs
                )
                if isinstance(system, Lemon24):
                    lemon24_search(report, system, logs)
            if config.profile:
                profile_refresh(report, "c", farm, broadsheet_exe, base)

    if "d" in wanted:
        big_expect = config.big_feeds * config.big_items
        print(
            f"\n(d): {config.big_feeds} feeds x {config.big_items} items "
            f"= {big_expect} articles, no latency",
            flush=True,
        )
        with FarmServer(config.big_feeds, config.big_items, 0.0, config.port, config.hosts) as farm:
            base = fresh(work / "d")
            d_threads = tuple(n for n in threads if n == 8)
            systems = make_systems(base, broadsheet_exe, d_threads, have_lemon24)
            prepare_all(systems, farm, base)
            token = farmlib.item_token(config.big_feeds - 1, config.big_items - 1)
            for system in systems:
                measure_refresh(
                    report, "d1", system, farm, expect_new=big_expect, token=token, logs=logs
                )
            for system in systems:
                measure_refresh(
                    report, "d2", system, farm, expect_new=big_expect, token=None, logs=logs
                )
            (base / "complete").write_text(
                json.dumps({"feeds": config.big_feeds, "items": config.big_items})
            )
            if config.profile:
                profile_refresh(report, "d1", farm, broadsheet_exe, base)


def lemon24_search(report: Report, system: Lemon24, logs: Path) -> None:
    """lemon24/reader indexes for search in a separate step: time it on its own row."""
    done = run_quiet(system.cli("search", "enable"), cwd=Path("/"))
    if done.returncode != 0:
        report.say(f"lemon24 search enable failed: {done.stderr[-300:]}")
        return
    measure = run_measured(
        system.cli("search", "update"),
        log=logs / "c-lemon24-search.log",
        timeout=report.config.timeout,
        cwd=Path("/"),
    )
    report.add(
        Row(
            "c",
            f"{system.name} search update",
            measure.wall,
            measure.cpu,
            measure.peak_mb,
            "separate indexing step (not in its (c) row)",
            {"returncode": measure.returncode},
        )
    )


# -- profiles (--profile) ---------------------------------------------------------------------


def summarise_profile(raw: Path, top: int = 30) -> str:
    """py-spy's raw (collapsed) stacks -> the functions with the most samples, self and
    inclusive, as a share of all samples (every thread and process counted)."""
    own: dict[str, int] = {}
    inclusive: dict[str, int] = {}
    total = 0
    pending = ""
    for piece in raw.read_text(errors="replace").splitlines():
        line = pending + piece
        stack, _, count_text = line.rpartition(" ")
        if not count_text.isdigit():  # a frame name (a command line) had a newline
            pending = line + " "
            continue
        pending = ""
        count = int(count_text)
        total += count
        frames = [re.sub(r":\d+\)$", ")", frame) for frame in stack.split(";")]
        own[frames[-1]] = own.get(frames[-1], 0) + count
        for frame in set(frames):
            inclusive[frame] = inclusive.get(frame, 0) + count
    if not total:
        return "no samples"
    lines = [f"{total} samples", "", "self:"]
    for name, count in sorted(own.items(), key=lambda item: -item[1])[:top]:
        lines.append(f"{count / total * 100:6.1f}%  {name}")
    lines += ["", "inclusive:"]
    for name, count in sorted(inclusive.items(), key=lambda item: -item[1])[: top + 20]:
        lines.append(f"{count / total * 100:6.1f}%  {name}")
    return "\n".join(lines)


def profile_refresh(
    report: Report, label: str, farm: FarmServer, broadsheet_exe: str, work: Path
) -> None:
    """Broadsheet's first refresh again, on a fresh library, under py-spy (not timed)."""
    if not PY_SPY.exists():
        report.say("--profile: py-spy is missing (benchmarks/setup.sh)")
        return
    system = Broadsheet(fresh(work / f"profile-{label}"), broadsheet_exe)
    shutil.rmtree(system.work)
    system.prepare(farm.urls(), work / "farm.opml")
    raw = RESULTS / f"profile-{label}.raw"
    argv, _, _ = system.refresh_argv()
    done = run_quiet(
        [
            str(PY_SPY),
            "record",
            "--rate",
            "100",
            "--subprocesses",
            "--format",
            "raw",
            "-o",
            str(raw),
            "--",
            *argv,
        ],
        timeout=report.config.timeout,
    )
    if not raw.exists():
        report.say(f"--profile {label}: py-spy failed: {done.stderr[-500:]}")
        return
    text = summarise_profile(raw)
    (RESULTS / f"profile-{label}.txt").write_text(text + "\n")
    report.profiles[label] = text
    print(
        f"  profile of broadsheet ({label}) -> benchmarks/results/profile-{label}.txt", flush=True
    )
    shutil.rmtree(system.work, ignore_errors=True)


# -- (e) and (f): the TUI ---------------------------------------------------------------------


def venv_python(broadsheet_exe: str) -> str:
    candidate = Path(broadsheet_exe).resolve().parent / "python"
    return str(candidate) if candidate.exists() else sys.executable


def tui_scenarios(
    report: Report,
    wanted: str,
    config: Config,
    work: Path,
    broadsheet_exe: str,
    have_newsboat: bool,
) -> None:
    base = work / "d"
    if not (base / "complete").exists():
        report.say("(e)/(f) need the (d) library: run (d) first (e.g. --only d,e,f)")
        return
    meta = json.loads((base / "complete").read_text())
    total = meta["feeds"] * meta["items"]
    broadsheet = Broadsheet(base / "broadsheet", broadsheet_exe)
    newsboat = Newsboat(base / "newsboat-8", 8)
    newest = farmlib.item_title(0, 0)
    python = venv_python(broadsheet_exe)
    hello = work / "hello_app.py"
    hello.write_text(tui_probe.HELLO_APP)
    tmux = tui_probe.Tmux(f"broadsheet-bench-{os.getpid()}")
    print(
        f"\n(e)/(f): TUI on the {total}-article library "
        f"({tui_probe.WIDTH}x{tui_probe.HEIGHT} tmux)",
        flush=True,
    )
    try:
        if "e" in wanted:
            first_paints(
                report, config, tmux, broadsheet, newsboat, python, hello, newest, have_newsboat
            )
        if "f" in wanted:
            tui_interaction(report, config, tmux, broadsheet, python, hello, newest, total)
            search_latency(report, broadsheet, python, total)
        if config.profile and "e" in wanted:
            profile_tui(report, tmux, broadsheet, newest)
    finally:
        tmux.close()


def profile_tui(report: Report, tmux: tui_probe.Tmux, broadsheet: Broadsheet, newest: str) -> None:
    """The TUI from launch to first paint under py-spy (then q); not timed."""
    if not PY_SPY.exists():
        report.say("--profile: py-spy is missing (benchmarks/setup.sh)")
        return
    raw = RESULTS / "profile-e.raw"
    raw.unlink(missing_ok=True)
    argv = [str(PY_SPY), "record", "--rate", "200", "--format", "raw", "-o", str(raw), "--"]
    try:
        tui_probe.first_paint(
            tmux, "profile", [*argv, *broadsheet.base()], newest, timeout=600, keep=True
        )
        tmux.send("profile", "q")
        deadline = time.perf_counter() + 60
        while not tmux.pane_dead("profile") and time.perf_counter() < deadline:
            time.sleep(0.2)
    except tui_probe.ProbeError as error:
        report.say(f"--profile (e): {error}")
    finally:
        tmux.kill("profile")
    if raw.exists():
        text = summarise_profile(raw)
        (RESULTS / "profile-e.txt").write_text(text + "\n")
        report.profiles["e"] = text
        print("  profile of the TUI start -> benchmarks/results/profile-e.txt", flush=True)


def first_paints(
    report: Report,
    config: Config,
    tmux: tui_probe.Tmux,
    broadsheet: Broadsheet,
    newsboat: Newsboat,
    python: str,
    hello: Path,
    newest: str,
    have_newsboat: bool,
) -> None:
    candidates: list[tuple[str, list[str], str, int, float]] = [
        (
            "textual hello (floor)",
            [python, str(hello)],
            "Hello, benchmark",
            config.paint_repeats,
            60,
        ),
        ("broadsheet", broadsheet.base(), newest, config.paint_repeats, 300),
    ]
    if have_newsboat and newsboat.work.exists():
        candidates.append(("newsboat", newsboat.tui_argv(), farmlib.feed_title(0), 1, 900))
    for name, argv, marker, repeats, timeout in candidates:
        paints = []
        for attempt in range(repeats):
            try:
                paint = tui_probe.first_paint(
                    tmux, f"paint-{attempt}", argv, marker, timeout=timeout
                )
            except tui_probe.ProbeError as error:
                report.say(f"(e) {name}: {error}")
                break
            paints.append(paint)
        if not paints:
            report.add(Row("e", name, None, note="failed (see messages)"))
            continue
        walls = [paint.seconds for paint in paints]
        best = sorted(walls)[len(walls) // 2]
        peak = max((paint.peak_rss_mb or 0) for paint in paints) or None
        report.add(
            Row(
                "e",
                name,
                best,
                None,
                peak,
                f"median of {len(walls)}: " + ", ".join(f"{w:.2f}" for w in walls),
                {"runs": walls, "argv": tui_probe.command_line(argv)},
            )
        )


def tui_interaction(
    report: Report,
    config: Config,
    tmux: tui_probe.Tmux,
    broadsheet: Broadsheet,
    python: str,
    hello: Path,
    newest: str,
    total: int,
) -> None:
    keys = ["j"] * (config.keys // 2) + ["k"] * (config.keys - config.keys // 2)
    # The floor for key-to-screen: the bare Textual app.
    try:
        tui_probe.first_paint(
            tmux, "hello", [python, str(hello)], "Hello, benchmark", timeout=60, keep=True
        )
        floor = tui_probe.key_latencies(tmux, "hello", keys)
        report.add(key_row("textual hello (floor)", floor))
    except tui_probe.ProbeError as error:
        report.say(f"(f) hello: {error}")
    finally:
        tmux.kill("hello")

    session = "broadsheet"
    try:
        tui_probe.first_paint(tmux, session, broadsheet.base(), newest, timeout=300, keep=True)
    except tui_probe.ProbeError as error:
        report.say(f"(f) broadsheet did not paint: {error}")
        report.add(Row("f", "broadsheet", None, note="TUI not usable (see messages)"))
        return
    pid = tui_probe.app_pid(tmux.pane_pid(session))
    after_paint = tui_probe.proc_status(pid)
    all_view = re.compile(r"All unread\s+[\d,]+ articles")
    saved_view = re.compile(r"Saved\s+[\d,]+ articles|No saved articles")
    try:
        # Opening the all-articles view: focus the sidebar, go to Saved (empty),
        # then time the way back to "All unread" until its newest title shows.
        # The sidebar fills after the list; until a feed's count shows it has no
        # highlighted entry, and the first j would only highlight "All unread".
        tmux.wait_for(session, lambda s: SIDEBAR_FEED_ROW.search(s) is not None, timeout=60)
        tmux.settle(session)
        tmux.send(session, "BTab")
        tmux.settle(session)
        opens = []
        for _ in range(config.view_repeats):
            tui_probe.timed_key(
                tmux, session, "j", lambda s: saved_view.search(s) is not None and newest not in s
            )
            tmux.settle(session)
            opens.append(
                tui_probe.timed_key(
                    tmux, session, "k", lambda s: all_view.search(s) is not None and newest in s
                )
            )
            tmux.settle(session)
        report.add(
            Row(
                "f",
                f"broadsheet open all ({total})",
                tui_probe.percentile(opens, 0.5),
                note=f"p50; max {max(opens) * 1000:.0f} ms over {len(opens)} opens",
                extra={"runs": opens},
            )
        )
        # Back to the list, then j/k.
        tmux.send(session, "Enter")
        tmux.settle(session)
        latencies = tui_probe.key_latencies(tmux, session, keys)
        report.add(key_row("broadsheet", latencies))
    except tui_probe.ProbeError as error:
        report.say(f"(f) broadsheet interaction: {error}")
    status = tui_probe.proc_status(pid)
    report.add(
        Row(
            "f",
            "broadsheet TUI peak memory",
            None,
            None,
            status.get("VmHWM"),
            f"VmHWM; {after_paint.get('VmHWM', 0):.0f} MB at first paint",
            {"after_paint": after_paint, "end": status},
        )
    )
    report.tui["broadsheet_peak_mb"] = status.get("VmHWM")
    tmux.send(session, "q")
    time.sleep(0.5)
    tmux.kill(session)


SIDEBAR_FEED_ROW = re.compile(r"^  \S.*\s[\d,]+\s+▕", re.MULTILINE)  # "  Title…   200  ▕"


def key_row(system: str, latencies: list[float]) -> Row:
    p50 = tui_probe.percentile(latencies, 0.5)
    p95 = tui_probe.percentile(latencies, 0.95)
    return Row(
        "f",
        f"{system} j/k",
        p95,
        None,
        None,
        f"p95 (p50 {p50 * 1000:.1f} ms, max {max(latencies) * 1000:.1f} ms, {len(latencies)} keys)",
        {"p50": p50, "p95": p95, "runs": latencies},
    )


SEARCH_HARNESS = r"""
import json, sys, time
from reader.core.library import ArticleQuery, Library

data, config_dir, queries = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
started = time.perf_counter()
library = Library.open(data, config_dir_path=config_dir, samples=False)
opened = time.perf_counter() - started
started = time.perf_counter()
query = ArticleQuery(unread_only=True)
count = library.count_articles(query)
page = library.article_page(query, 0, 100)
view = time.perf_counter() - started
results = []
for round_ in range(2):
    for text in queries:
        started = time.perf_counter()
        hits = library.search(text, limit=50)
        results.append({"round": round_, "query": text, "seconds": time.perf_counter() - started,
                        "hits": len(hits)})
print(json.dumps({"open": opened, "view": view, "count": count, "page": len(page),
                  "results": results}))
"""


def search_latency(report: Report, broadsheet: Broadsheet, python: str, total: int) -> None:
    """Library.search in-process (one fresh process; the first pass is what counts)."""
    done = run_quiet(
        [
            python,
            "-c",
            SEARCH_HARNESS,
            str(broadsheet.data),
            str(broadsheet.config),
            json.dumps(QUERIES),
        ]
    )
    if done.returncode != 0:
        report.say(f"(f) search harness failed:\n{done.stderr[-1500:]}")
        report.add(Row("f", "broadsheet search", None, note="harness failed"))
        return
    data = json.loads(done.stdout.strip().splitlines()[-1])
    first = [r["seconds"] for r in data["results"] if r["round"] == 0]
    second = [r["seconds"] for r in data["results"] if r["round"] == 1]
    slowest = max((r for r in data["results"] if r["round"] == 0), key=lambda r: r["seconds"])
    report.add(
        Row(
            "f",
            "broadsheet search (first pass)",
            tui_probe.percentile(first, 0.95),
            note=f"p95; p50 {tui_probe.percentile(first, 0.5) * 1000:.1f} ms; slowest "
            f"{slowest['query']!r} {slowest['seconds'] * 1000:.0f} ms",
            extra=data,
        )
    )
    report.add(
        Row(
            "f",
            "broadsheet search (repeat)",
            tui_probe.percentile(second, 0.95),
            note=f"p95; p50 {tui_probe.percentile(second, 0.5) * 1000:.1f} ms",
        )
    )
    report.add(
        Row(
            "f",
            f"Library count+first page ({data['count']})",
            data["view"],
            note="in-process: count_articles + article_page(0, 100) of All unread",
        )
    )


# -- acceptance and output ------------------------------------------------------------------------


def acceptance(report: Report) -> list[dict[str, Any]]:
    checks: list[dict[str, Any]] = []

    def check(name: str, value: float | None, limit: float | None, text: str) -> None:
        if value is None or limit is None:
            checks.append({"check": name, "status": "n/a", "detail": text})
            return
        checks.append(
            {
                "check": name,
                "status": "PASS" if value <= limit else "FAIL",
                "value": value,
                "limit": limit,
                "detail": text,
            }
        )

    def wall(scenario: str, system: str) -> float | None:
        row = report.find(scenario, system)
        return row.wall if row else None

    def ratio(scenario: str, peer: str, factor: float, label: str) -> None:
        ours, theirs = wall(scenario, "broadsheet"), wall(scenario, peer)
        if ours is not None and theirs is not None:
            check(
                label,
                ours,
                factor * theirs,
                f"{ours:.2f} s vs {factor:g} x {peer} {theirs:.2f} s = {factor * theirs:.2f} s "
                f"(ratio {ours / theirs:.2f})",
            )
        else:
            check(label, None, None, "not measured")

    def absolute(scenario: str, system: str, limit: float, label: str, unit: str = "s") -> None:
        value = wall(scenario, system)
        scale = 1000 if unit == "ms" else 1
        if value is not None:
            check(
                label, value, limit, f"{value * scale:.1f} {unit} (limit {limit * scale:g} {unit})"
            )
        else:
            check(label, None, None, "not measured")

    ratio("a", "newsboat-32", 0.8, "(a) <= 0.8 x newsboat-32")
    absolute("b", "broadsheet", 1.0, "(b) <= 1.0 s")
    ratio("c", "newsboat-8", 1.0, "(c) <= newsboat-8")
    ratio("d1", "newsboat-8", 0.5, "(d) first <= 0.5 x newsboat-8")
    absolute("d2", "broadsheet", 5.0, "(d) second <= 5 s")
    ours, floor = wall("e", "broadsheet"), wall("e", "textual hello (floor)")
    if ours is not None and floor is not None:
        check(
            "(e) <= 2 x bare Textual",
            ours,
            2 * floor,
            f"{ours:.2f} s vs 2 x {floor:.2f} s (ratio {ours / floor:.2f})",
        )
    else:
        check("(e) <= 2 x bare Textual", None, None, "not measured")
    peak = report.tui.get("broadsheet_peak_mb")
    check(
        "(f) TUI peak memory <= 250 MB",
        peak,
        250 if peak else None,
        f"{peak:.0f} MB" if peak else "not measured",
    )
    view = next((row for row in report.rows if row.system.startswith("broadsheet open all")), None)
    if view is not None and view.wall is not None:
        check(
            "(f) all-articles view opens <= 200 ms",
            view.wall,
            0.2,
            f"p50 {view.wall * 1000:.0f} ms",
        )
    else:
        check("(f) all-articles view opens <= 200 ms", None, None, "not measured")
    absolute("f", "broadsheet j/k", 0.05, "(f) j/k key-to-screen p95 <= 50 ms", "ms")
    absolute("f", "broadsheet search (first pass)", 0.1, "(f) search p95 <= 100 ms", "ms")
    return checks


def fmt(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def print_table(report: Report, checks: list[dict[str, Any]]) -> str:
    lines = [
        "| scenario | system | wall s | CPU s | peak MB | notes |",
        "|---|---|---:|---:|---:|---|",
    ]
    for row in report.rows:
        digits = 3 if row.wall is not None and row.wall < 1 else 2
        lines.append(
            f"| {row.scenario} | {row.system} | {fmt(row.wall, digits)} | {fmt(row.cpu)} "
            f"| {fmt(row.peak_mb, 0)} | {row.note} |"
        )
    lines += ["", "| acceptance | result | figures |", "|---|---|---|"]
    lines += [f"| {c['check']} | {c['status']} | {c['detail']} |" for c in checks]
    text = "\n".join(lines)
    print("\n" + text)
    return text


def versions(broadsheet_exe: str) -> dict[str, str]:
    out: dict[str, str] = {}

    def first_line(argv: Sequence[str], cwd: Path | None = None) -> str:
        try:
            done = run_quiet(argv, cwd=cwd, timeout=30)
        except (OSError, subprocess.TimeoutExpired) as error:
            return f"unavailable ({error})"
        return (done.stdout or done.stderr).strip().splitlines()[0] if done.returncode == 0 else "?"

    out["broadsheet"] = first_line([broadsheet_exe, "--version"])
    out["newsboat"] = first_line(["newsboat", "-v"]) if shutil.which("newsboat") else "missing"
    if LEMON24_PYTHON.exists():
        out["lemon24/reader"] = first_line(
            [str(LEMON24_PYTHON), "-P", "-c", "import reader; print(reader.__version__)"], Path("/")
        )
    out["textual"] = first_line(
        [venv_python(broadsheet_exe), "-c", "import textual; print(textual.__version__)"]
    )
    out["tmux"] = first_line(["tmux", "-V"]) if shutil.which("tmux") else "missing"
    out["python"] = platform.python_version()
    return out


def warm_bytecode(broadsheet_exe: str) -> dict[str, float]:
    """Compile every module the measured Python programs import (Broadsheet, Textual,
    feedparser, lemon24/reader ...) to __pycache__ first, as an installed program has
    it, so no measured start pays for compiling."""
    out: dict[str, float] = {}
    targets = [(venv_python(broadsheet_exe), [str(HERE.parent / "reader")])]
    if LEMON24_PYTHON.exists():
        targets.append((str(LEMON24_PYTHON), []))
    for python, extra in targets:
        started = time.perf_counter()
        paths = run_quiet(
            [python, "-c", "import site, sys; print(chr(10).join(site.getsitepackages()))"],
            cwd=Path("/"),
        ).stdout.split()
        run_quiet([python, "-m", "compileall", "-q", "-j", "0", *paths, *extra], cwd=Path("/"))
        out[python] = round(time.perf_counter() - started, 1)
    return out


def git_state() -> dict[str, Any]:
    """Which code was measured: HEAD plus uncommitted changes under reader/."""
    head = run_quiet(["git", "rev-parse", "--short", "HEAD"], cwd=HERE.parent)
    dirty = run_quiet(["git", "status", "--porcelain", "--", "reader"], cwd=HERE.parent)
    return {
        "head": head.stdout.strip(),
        "uncommitted_in_reader": [line[3:] for line in dirty.stdout.splitlines()],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="small sanity run (20 feeds, 10k library)"
    )
    parser.add_argument("--only", default=SCENARIOS, help="comma-separated scenarios, e.g. a,b,c")
    parser.add_argument("--broadsheet", help="the broadsheet command (default: beside this Python)")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--hosts", type=int, default=farmlib.DEFAULT_HOSTS)
    parser.add_argument("--no-peers", action="store_true", help="Broadsheet only")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="also profile Broadsheet (py-spy, untimed extra runs): refresh in (c) and (d), "
        "TUI start in (e); summaries in benchmarks/results/profile-*.txt",
    )
    args = parser.parse_args(argv)
    wanted = "".join(part.strip() for part in args.only.split(","))
    if not wanted or set(wanted) - set(SCENARIOS):
        parser.error(f"--only takes scenarios from {','.join(SCENARIOS)}")
    broadsheet_exe = args.broadsheet or str(Path(sys.executable).parent / "broadsheet")
    if not Path(broadsheet_exe).exists():
        broadsheet_exe = shutil.which("broadsheet") or ""
    if not broadsheet_exe:
        parser.error("no broadsheet command: install Broadsheet or pass --broadsheet")
    config = make_config(args)
    config.profile = args.profile
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # still stop the farm
    if not become_subreaper():
        print("warning: not a child subreaper: CPU of orphaned workers is missed")
    have_newsboat = not args.no_peers and shutil.which("newsboat") is not None
    have_lemon24 = not args.no_peers and LEMON24_PYTHON.exists()
    report = Report(config)
    if not args.no_peers and not (have_newsboat and have_lemon24):
        report.say(
            "peers missing (run benchmarks/setup.sh): "
            + ", ".join(
                n
                for n, ok in (("newsboat", have_newsboat), ("lemon24/reader", have_lemon24))
                if not ok
            )
        )
    work = RESULTS / ("work-quick" if config.quick else "work-full")
    work.mkdir(parents=True, exist_ok=True)
    meta = {
        "versions": versions(broadsheet_exe),
        "config": asdict(config),
        "cores": os.cpu_count(),
        "machine": platform.platform(),
        "scenarios": wanted,
        "started": time.strftime("%Y-%m-%d %H:%M:%S"),
    }
    print("compiling bytecode of the measured programs ...", flush=True)
    meta["bytecode_warmup_seconds"] = warm_bytecode(broadsheet_exe)
    meta["load_average_at_start"] = os.getloadavg()
    meta["git"] = git_state()
    print(json.dumps(meta["versions"]), flush=True)
    refresh_scenarios(report, wanted, config, work, broadsheet_exe, have_newsboat, have_lemon24)
    if "e" in wanted or "f" in wanted:
        if shutil.which("tmux") is None:
            report.say("(e)/(f) skipped: tmux is not installed (benchmarks/setup.sh)")
        else:
            tui_scenarios(report, wanted, config, work, broadsheet_exe, have_newsboat)
    checks = acceptance(report)
    table = print_table(report, checks)
    meta["seconds"] = round(time.time() - report.started, 1)
    document = {
        "profiles": report.profiles,
        "meta": meta,
        "rows": [asdict(row) for row in report.rows],
        "acceptance": checks,
        "messages": report.messages,
        "table": table,
    }
    RESULTS.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    out = RESULTS / f"run-{stamp}{'-quick' if config.quick else ''}.json"
    out.write_text(json.dumps(document, indent=1))
    (RESULTS / "latest.json").write_text(json.dumps(document, indent=1))
    print(f"\nwrote {out.relative_to(HERE.parent)} ({meta['seconds']:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
