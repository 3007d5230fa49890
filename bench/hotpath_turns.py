"""Two trees' hot paths in turns: ``python -m bench.hotpath_turns OTHER_TREE``.

``bench.hotpath`` compares Teller with the floor inside one tree; a change is judged against
the tree without it. This starts one process per tree (this one and ``OTHER_TREE``, e.g. a
``git worktree`` of main), each building its apps once as ``bench.hotpath.Bench`` does (its own
``redis-server``, seeded bank and log file), then asks them for rounds in turn: per round and
body, the floor then Teller in one tree, then in the other. A round of each tree thus ran on
nearly the same load, which a busy machine changes from minute to minute. Printed: medians of
the floor and Teller (µs of CPU per message), of each round's Teller − floor, and of each
round's floor ÷ Teller, per tree and body; any reply other than the expected one fails the run.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import IO

ROUNDS = 20
MESSAGES = 1_000
APPS = ("floor", "teller")


def serve() -> int:
    """The per-tree process, started as a script in its tree (which may not have this file):
    that tree's Teller and benchmark pieces come first on the path. Builds the apps, warms
    them, then runs each round asked on stdin."""
    sys.path.insert(0, str(Path.cwd()))
    from bench import hotpath

    with contextlib.ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="teller-turns-")))
        bench = hotpath.Bench(tmp, stack)
        for body in hotpath.BODIES:
            for name in APPS:
                bench.round(name, body, hotpath.WARMUP)
        print("ready", flush=True)
        for line in sys.stdin:
            name, body, count = line.split()
            print(json.dumps(bench.round(name, body, int(count))), flush=True)
    return 0


def _ask(stdin: IO[str], stdout: IO[str], request: str) -> dict[str, object]:
    stdin.write(request + "\n")
    stdin.flush()
    answer: dict[str, object] = json.loads(stdout.readline())
    return answer


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.hotpath_turns", description=__doc__)
    parser.add_argument("other", type=Path, help="the other tree (its bench/ is the same)")
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--messages", type=int, default=MESSAGES)
    args = parser.parse_args(argv)
    from bench import hotpath

    trees = {"other": args.other.resolve(), "this": hotpath.ROOT}
    procs = {
        name: subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--serve"],
            cwd=tree,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for name, tree in trees.items()
    }
    pipes = {name: (p.stdin, p.stdout) for name, p in procs.items()}
    taken: dict[tuple[str, str, str], list[float]] = {}
    unexpected: list[str] = []
    try:
        for stdin, stdout in pipes.values():
            assert stdin is not None and stdout is not None
            if stdout.readline().strip() != "ready":
                raise RuntimeError("a tree's process did not start")
        for _ in range(args.rounds):
            for body in hotpath.BODIES:
                for tree, (stdin, stdout) in pipes.items():
                    assert stdin is not None and stdout is not None
                    for name in APPS:
                        found = _ask(stdin, stdout, f"{name} {body} {args.messages}")
                        taken.setdefault((tree, body, name), []).append(float(str(found["cpu_us"])))
                        wanted = "baseline" if name == "floor" else hotpath.EXPECTED[body]
                        if set(dict(found["replies"])) != {wanted}:  # type: ignore[call-overload]
                            unexpected.append(f"{tree} {body} {name}: {found['replies']}")
    finally:
        for p in procs.values():
            if p.stdin is not None:
                p.stdin.close()
            p.wait()
    for body in hotpath.BODIES:
        for tree in trees:
            floor, teller = taken[(tree, body, "floor")], taken[(tree, body, "teller")]
            beyond = statistics.median(t - f for f, t in zip(floor, teller, strict=True))
            ratio = statistics.median(f / t for f, t in zip(floor, teller, strict=True))
            print(
                f"{body:8s} {tree:5s} floor {statistics.median(floor):6.0f} "
                f"Teller {statistics.median(teller):6.0f} beyond {beyond:5.0f} "
                f"floor/Teller {100 * ratio:.0f} %"
            )
    for line in unexpected:
        print(f"unexpected replies: {line}", file=sys.stderr)
    return 1 if unexpected else 0


if __name__ == "__main__":
    sys.exit(serve() if sys.argv[1:] == ["--serve"] else main())
