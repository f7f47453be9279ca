"""A backup that was damaged or altered after it was made is refused before anything is
touched."""

from __future__ import annotations

from django.test import TransactionTestCase

from xinbao.items.models import Item
from xinbao.ops.tests.test_restore_drill import Office, ok, xinbao


class DamagedBackupTest(Office, TransactionTestCase):
    def test_it_refuses_a_backup_whose_file_differs_from_its_manifest(self) -> None:
        backups = self.tmp / "backups"
        ok(xinbao(self.source, "backup", str(backups)))
        (folder,) = backups.iterdir()
        media = folder / "media.tar"
        data = bytearray(media.read_bytes())
        data[600] ^= 0xFF
        media.write_bytes(bytes(data))

        # Against the office it came from: the check comes before any other.
        done = xinbao(self.source, "restore", "--force", str(folder))
        assert done.returncode != 0
        assert "media.tar differs from the manifest (SHA-256)" in done.stderr
        assert Item.objects.count() == 1
