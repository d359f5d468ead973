"""Folders owned by a living process (gongkai.owner_lock): real files and flocks."""

from __future__ import annotations

import os

import pytest

from gongkai import owner_lock

pytestmark = pytest.mark.skipif(os.name != "posix", reason="flock")


def test_an_owned_folder_is_not_removed_until_its_owner_lets_go(tmp_path):
    folder = tmp_path / "run"
    folder.mkdir()
    fd = owner_lock.own(folder)
    assert sorted(p.name for p in folder.iterdir()) == [owner_lock.OWNER]  # the staged name was renamed
    assert owner_lock.try_lock(folder / owner_lock.OWNER) is None  # another open file: the lock is taken
    assert not owner_lock.remove_if_abandoned(folder) and folder.is_dir()
    os.close(fd)  # as the OS does when the owner dies, however it dies
    assert owner_lock.remove_if_abandoned(folder) and not folder.exists()


def test_a_folder_without_a_lock_is_abandoned_only_when_asked(tmp_path):
    folder = tmp_path / "old"
    folder.mkdir()
    (folder / "data").write_text("x", encoding="ascii")
    assert not owner_lock.remove_if_abandoned(folder, missing_lock_abandons=False)
    assert sorted(p.name for p in folder.iterdir()) == ["data"]  # left as it was, no lock file created
    assert owner_lock.remove_if_abandoned(folder) and not folder.exists()
