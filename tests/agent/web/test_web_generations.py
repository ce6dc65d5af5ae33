"""Generations linked ahead of need (nginx.SiteTree.prepare_next): file work only, no nginx."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from agent.config import DEFAULTS
from agent.system.web.nginx import SiteTree
from agent.system.web.nginx_render import Layout, render_test_config


def tree_at(folder: Path) -> SiteTree:
    (folder / "conf.d").mkdir()
    layout = Layout(folder, ("127.0.0.1:8080",), folder / "logs", folder / "php")
    tree = SiteTree(layout, DEFAULTS.limits("web"))
    tree.ensure_layout()
    return tree


def generations(tree: SiteTree) -> list[str]:
    return sorted(p.name for p in tree.folder.iterdir() if p.name.startswith("sites."))


def publish(tree: SiteTree, changes: dict[str, str | None]) -> None:
    staging = tree.stage()
    staging.write(changes)
    staging.publish()


def test_the_next_generation_is_linked_after_a_change_and_the_previous_one_removed(
    tmp_path: Path,
) -> None:
    tree = tree_at(tmp_path)
    publish(tree, {"a.example.com.conf": "a\n", "b.example.com.conf": "b\n"})
    assert generations(tree) == ["sites.1", "sites.2"]  # removed after the answer, not before

    tree.prepare_next()

    assert generations(tree) == ["sites.2", "sites.3"]
    for name in ("a.example.com.conf", "b.example.com.conf"):
        live, ahead = tree.live_dir() / name, tree.folder / "sites.3" / name
        assert os.path.samefile(live, ahead)


def test_a_change_on_a_prepared_generation_leaves_the_live_files_as_they_were(
    tmp_path: Path,
) -> None:
    tree = tree_at(tmp_path)
    publish(tree, {"a.example.com.conf": "a\n", "b.example.com.conf": "b\n"})
    tree.prepare_next()
    prepared = (tmp_path / "jopanel" / "sites.3").stat().st_ino

    staging = tree.stage()
    assert staging.folder.stat().st_ino == prepared  # no second linking
    staging.write({"a.example.com.conf": "changed\n", "b.example.com.conf": None})
    staging.discard()  # as when nginx -t refuses it

    assert tree.read_live() == {"a.example.com.conf": "a\n", "b.example.com.conf": "b\n"}
    tree.prepare_next()
    assert generations(tree) == ["sites.2", "sites.3"]
    assert tree.stage().folder.name == "sites.3"


def test_a_prepared_generation_of_an_older_live_one_is_never_used(tmp_path: Path) -> None:
    tree = tree_at(tmp_path)
    tree.prepare_next()  # sites.2, linked from sites.1
    publish(tree, {"a.example.com.conf": "a\n"})  # takes sites.2
    publish(tree, {"b.example.com.conf": "b\n"})  # nothing prepared: stages sites.3 itself

    assert tree.read_live() == {"a.example.com.conf": "a\n", "b.example.com.conf": "b\n"}
    tree.prepare_next()
    assert generations(tree) == ["sites.3", "sites.4"]


def test_a_change_is_checked_with_the_http_files_and_its_own_site_files_only(
    tmp_path: Path,
) -> None:
    """The live files were checked when they went live and are never written: nginx -t of a
    change reads the http-level files and what the change wrote (docs/web.md, Staging)."""
    tree = tree_at(tmp_path)
    publish(tree, {"a.example.com.conf": "a\n", "b.example.com.conf": "b\n", "_http.conf": "h\n"})
    staging = tree.stage()
    staging.write({"b.example.com.conf": "B\n", "c.example.com.conf": "c\n", "_http.conf": "H\n"})
    staging.write({"c.example.com.conf": None, "d.example.com.conf": "d\n"})

    text = render_test_config(tree.layout, staging.folder, sorted(staging.written))
    includes = [line.split()[1].rstrip(";") for line in text.splitlines() if "include " in line]

    assert includes[1:] == [
        f"{staging.folder}/_*.conf",
        f"{staging.folder}/b.example.com.conf",
        f"{staging.folder}/d.example.com.conf",
    ]
    whole = render_test_config(tree.layout, staging.folder)
    assert f"    include {staging.folder}/*.conf;" in whole


def inodes(folder: Path) -> dict[str, int]:
    return {path.name: path.stat().st_ino for path in folder.iterdir()}


def test_each_prepared_generation_is_the_live_one_made_of_the_one_it_replaced(
    tmp_path: Path,
) -> None:
    """After a change went live, the generation it replaced becomes the next one: renamed, the
    names the change touched linked again from the live one or removed. Whatever the change
    did, the next generation holds exactly the live files (the same inodes), and nothing more."""
    tree = tree_at(tmp_path)
    batches: list[list[dict[str, str | None]]] = [
        [{"a.test.conf": "a\n", "b.test.conf": "b\n", "_http.conf": "h\n"}],
        [{"b.test.conf": "B\n", "c.test.conf": "c\n"}],  # rewritten, new
        [{"a.test.conf": None}],  # removed
        [{"d.test.conf": "d\n"}, {"d.test.conf": None, "e.test.conf": "e\n"}],  # one by one
        [{"_http.conf": "H\n", "e.test.conf": "E\n"}],
    ]
    for writes in batches:
        staging = tree.stage()
        for changes in writes:
            staging.write(changes)
        replaced = tree.live_dir()
        replaced_inode = replaced.stat().st_ino
        staging.publish()

        tree.prepare_next()

        live = tree.generation()
        prepared = tree.folder / f"sites.{live + 1}"
        assert generations(tree) == sorted([f"sites.{live}", f"sites.{live + 1}"])
        assert prepared.stat().st_ino == replaced_inode  # the replaced folder, renamed
        assert inodes(prepared) == inodes(tree.live_dir())
    assert tree.read_live() == {"_http.conf": "H\n", "b.test.conf": "B\n", "c.test.conf": "c\n",
                                "e.test.conf": "E\n"}  # fmt: skip


def lose_http_files(folder: Path) -> None:
    (folder / "_http.conf").unlink()


def replace_a_site(folder: Path) -> None:
    (folder / "a.test.conf").unlink()
    (folder / "a.test.conf").write_text("written by someone else\n")


def add_a_site(folder: Path) -> None:
    (folder / "planted.test.conf").write_text("planted\n")


@pytest.mark.parametrize("damage", [lose_http_files, replace_a_site, add_a_site])
def test_a_prepared_generation_changed_by_another_hand_is_linked_afresh(
    tmp_path: Path, damage: Callable[[Path], None]
) -> None:
    """Another process at work in the prepared folder (bare Debian's make test met a second
    agent's start removing it as stale while the first renamed it): the next change is staged
    from the live files, never from what is left, and the live generation stays whole."""
    tree = tree_at(tmp_path)
    publish(tree, {"_http.conf": "h\n", "a.test.conf": "a\n", "b.test.conf": "b\n"})
    publish(tree, {"c.test.conf": "c\n"})
    tree.prepare_next()
    damage(tree.folder / f"sites.{tree.generation() + 1}")

    publish(tree, {"d.test.conf": "d\n"})

    assert tree.read_live() == {"_http.conf": "h\n", "a.test.conf": "a\n", "b.test.conf": "b\n",
                                "c.test.conf": "c\n", "d.test.conf": "d\n"}  # fmt: skip


def test_after_a_roll_back_the_next_generation_is_linked_afresh(tmp_path: Path) -> None:
    """The master refused the published generation: the link is back on the previous one, and
    the next is linked from it, never made of the refused one."""
    tree = tree_at(tmp_path)
    publish(tree, {"a.test.conf": "a\n", "b.test.conf": "b\n"})
    tree.prepare_next()
    previous = tree.generation()
    staging = tree.stage()
    staging.write({"a.test.conf": "refused\n", "c.test.conf": "c\n"})
    staging.publish()
    tree.roll_back(previous, staging)

    tree.prepare_next()

    prepared = tree.folder / f"sites.{previous + 1}"
    assert inodes(prepared) == inodes(tree.live_dir())
    assert tree.read_live() == {"a.test.conf": "a\n", "b.test.conf": "b\n"}
    assert tree.stage().folder == prepared
