"""The GIL is released while a call waits on SQLite or the index: other threads run meanwhile."""

import subprocess
import sys
import threading
import time
from pathlib import Path

import crm

# Holds SQLite's write lock from another process (locks of one process never block each other)
# until a line arrives on stdin.
HOLD_WRITE_LOCK = """
import sqlite3, sys
con = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
con.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.readline()
con.execute("COMMIT")
"""


def test_searches_run_while_a_write_waits(tmp_path: Path) -> None:
    path = tmp_path / "agency.db"
    with crm.Crm.open(path) as db:
        agency = db.tenant("agency-1", actor=crm.Actor("u-1"))
        agency.create_customers([{"first_name": f"Ana{i}", "last_name": "Núñez"} for i in range(50)])
        assert agency.search("ana").total == 50

        # Another process holds SQLite's write lock: the write below waits inside its call
        # (up to the store's busy timeout of 10 s).
        holder = subprocess.Popen(
            [sys.executable, "-c", HOLD_WRITE_LOCK, str(path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert holder.stdout is not None and holder.stdin is not None
        assert holder.stdout.readline().strip() == "locked"
        entered, written = threading.Event(), threading.Event()
        outcome: list[object] = []

        def write() -> None:
            entered.set()
            try:
                outcome.append(agency.create_customer(first_name="Late", last_name="Writer"))
            except crm.CrmError as err:
                outcome.append(err)
            written.set()

        writer = threading.Thread(target=write)
        writer.start()
        entered.wait()
        time.sleep(0.2)  # ordering aid only: lets the writer reach the lock

        totals: list[tuple[int, bool]] = []

        def search() -> None:
            for _ in range(20):
                totals.append((agency.search("ana").total, written.is_set()))

        searchers = [threading.Thread(target=search) for _ in range(3)]
        for s in searchers:
            s.start()
        for s in searchers:
            s.join(timeout=60)

        # Every search ran, in three threads, while the write was still in progress ...
        assert len(totals) == 60
        assert all(total == 50 and not done for total, done in totals)
        assert not written.is_set()
        # ... and the write, which held no GIL while waiting, goes through once the lock is free.
        holder.stdin.write("go\n")
        holder.stdin.close()
        assert holder.wait(timeout=60) == 0
        writer.join(timeout=60)
        assert written.is_set()
        assert isinstance(outcome[0], crm.Customer)
        assert agency.search("late writer").total == 1


def test_threads_share_one_database(db: crm.Crm) -> None:
    agency = db.tenant("agency-1", actor=crm.Actor("u-1"))
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(20):
                agency.create_customer(first_name=f"T{n}", last_name=f"N{i}")
                agency.search(f"t{n}")
        except BaseException as err:  # noqa: BLE001 - reported below
            errors.append(err)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    assert agency.search().total == 80
    assert all(agency.search(f"t{n}").total == 20 for n in range(4))
