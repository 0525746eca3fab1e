"""The media library: links between products and stored files, publishing and releasing files.

Order of operations, so that a file in use is never deleted and nothing is left behind:
a product's links are written (committed) before its files are published and before the product
is stored; a failure removes the links it wrote and deletes the files nobody else links to.
Releasing (a delete, an update that replaces media) removes the links first, commits, and only
then deletes the files that no link points to any more (checked after the commit, so two
products released at once cannot both keep a file the other one let go).

A save that is cut off (the client leaves while the product is being written) may still commit:
its links are settled a little later against what was stored (:meth:`settle`); links left by a
crash are swept at start-up (:meth:`sweep`).

A file released at the very moment another product links it is safe: the check and the
deletion hold the key's lock (a transaction advisory lock on PostgreSQL; SQLite's writers run one
at a time), so the link waits for the deletion and its product then publishes the file again.

Every method is synchronous (database and store calls): run it in a worker thread.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable
from datetime import timedelta

from prodex.extract.model import Media
from prodex.media.check import Checked
from prodex.media.keys import key_of
from prodex.media.stores import MediaStore
from prodex.service.clock import utcnow
from prodex.store import media as links
from prodex.store.db import Database

log = logging.getLogger(__name__)


class MediaLibrary:
    """The links of products to stored files, and the :class:`MediaStore` holding the files."""

    def __init__(self, database: Database, store: MediaStore) -> None:
        self.database = database
        self.store = store

    def link(self, product_id: str, keys: Iterable[str]) -> list[str]:
        """Link the product to ``keys`` (committed); the keys that were not linked before."""
        with self.database.write() as conn:
            return links.add_links(conn, product_id, keys, utcnow())

    def publish(self, files: Iterable[Checked]) -> None:
        """Publish the checked files to the store (each whole, or not at all)."""
        for item in files:
            self.store.put(item.staged.path, item.key, item.file_type.mime)

    def release(self, product_id: str, keep: Collection[str] = ()) -> list[str]:
        """Unlink the product from every file but ``keep``; delete the files now unused (their keys)."""
        with self.database.write() as conn:
            gone = links.remove_links(conn, product_id, keep)
        return self._delete_unused(gone)

    def forget(self, product_id: str, keys: Collection[str]) -> list[str]:
        """Undo :meth:`link` for ``keys`` (a failed create or update); delete the files now unused."""
        if not keys:
            return []
        with self.database.write() as conn:
            linked = set(links.linked_keys(conn, product_id))
            keep = linked - set(keys)
            gone = links.remove_links(conn, product_id, keep)
        return self._delete_unused(gone)

    def settle(self, product_id: str, keys: Collection[str]) -> list[str]:
        """After a save that failed or was cut off: unlink the product from those of ``keys`` its
        stored media do not use (none, when the product was not stored); the files deleted."""
        with self.database.read() as conn:
            stored = links.stored_media(conn, product_id) or []
        used = {key for key in (key_of(Media.model_validate(item)) for item in stored) if key}
        return self.forget(product_id, set(keys) - used)

    def sweep(self, older_than: timedelta) -> list[str]:
        """Remove links older than ``older_than`` whose product does not exist (a crash between
        linking and storing) and delete the files nobody uses then; the files deleted."""
        with self.database.write() as conn:
            keys = links.remove_orphan_links(conn, utcnow() - older_than)
        return self._delete_unused(keys)

    def _delete_unused(self, keys: Collection[str]) -> list[str]:
        """Delete the files of ``keys`` that no product links to, holding their keys' locks while
        checking and deleting: a product linking one of them meanwhile waits, then publishes it
        again (it links before it publishes)."""
        if not keys:
            return []
        with self.database.write() as conn:
            links.lock_keys(conn, keys)
            unused = links.unused_keys(conn, keys)
            if unused:
                self.store.delete(unused)
                log.info("deleted %d media file(s) no product uses", len(unused))
        return unused
