"""The end of an import is seen exactly once, even when its last two items end at the same time
on PostgreSQL (read committed: each transaction alone would still see the other item unfinished),
one of them failed straight from ``queued`` (no credit left to start it)."""

from __future__ import annotations

import threading
import uuid

from prodex.service.clock import utcnow
from prodex.store import imports as repo
from prodex.store.accounts import insert_account
from prodex.store.db import Database
from prodex.store.migrate import upgrade_database


def test_the_last_two_items_ending_together_complete_the_import_once(postgres_database_url: str) -> None:
    database = Database(postgres_database_url, pool_size=4)
    try:
        upgrade_database(database)
        job_id = uuid.uuid4().hex[:16]
        with database.write() as conn:
            account_id = insert_account(conn, name="race", email="", plan="free", now=utcnow())
            repo.insert_import(
                conn,
                job_id=job_id,
                account_id=account_id,
                source_kind="urls",
                source="",
                url_pattern=None,
                render=False,
                now=utcnow(),
            )
            hosts = ["a.example", "b.example"]
            repo.insert_items(conn, job_id, [repo.NewItem(f"http://{h}/p", h) for h in hosts], utcnow())
            items = repo.queued_items(conn, job_id)
            repo.update_item(conn, items[0].id, status="running")  # the other one never started
        both_ended = threading.Barrier(2)
        results: list[bool] = []

        def end(item_id: int) -> None:
            with database.write() as conn:
                repo.update_item(conn, item_id, status="done")
                both_ended.wait(10)  # each has ended its item, neither has committed
                results.append(repo.complete_if_over(conn, job_id, utcnow()))

        threads = [threading.Thread(target=end, args=(item.id,)) for item in items]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert sorted(results) == [False, True]
        with database.read() as conn:
            assert repo.get_import(conn, account_id, job_id).status == "done"  # type: ignore[union-attr]
    finally:
        database.dispose()
