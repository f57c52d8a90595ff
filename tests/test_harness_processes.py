"""The parent's plan of worker processes and the legacy worker's module bookkeeping,
without TensorFlow (tests/test_harness_equivalence.py runs the real processes)."""

from __future__ import annotations

import sys

import pytest

from migrate_tf.harness.processes import jobs_by_process
from migrate_tf.harness.workers.common import ModuleLoader, forget_user_modules


def _job(side: str, number: int) -> dict:
    return {"id": f"{number}:{side}", "side": side, "module": {"path": f"m{number}.py"}}


def test_the_legacy_process_gets_every_keras2_job_before_any_tf1_job():
    grouped = jobs_by_process({
        "tf1": [_job("tf1", 1), _job("tf1", 2)],
        "keras2": [_job("keras2", 3)],
        "keras3": [_job("keras3", 4), _job("keras3", 5)],
    })
    assert [job["id"] for job in grouped["legacy"]] == ["3:keras2", "1:tf1", "2:tf1"]
    assert [job["id"] for job in grouped["keras3"]] == ["4:keras3", "5:keras3"]
    assert set(grouped) == {"legacy", "keras3"}


def test_a_side_without_jobs_starts_no_process():
    assert jobs_by_process({"tf1": [], "keras2": [], "keras3": [_job("keras3", 1)]}) == {
        "keras3": [_job("keras3", 1)]
    }


def test_a_job_filed_under_another_side_is_refused():
    with pytest.raises(ValueError, match="a keras2 job among the tf1 jobs"):
        jobs_by_process({"tf1": [_job("keras2", 1)]})
    with pytest.raises(ValueError, match="no worker process runs tf3 jobs"):
        jobs_by_process({"tf3": [_job("tf3", 1)]})


@pytest.fixture
def user_tree(tmp_path, monkeypatch):
    """A user's project (a package with a sibling module) next to an installed package
    in a virtual environment inside the project."""
    project = tmp_path / "project"
    (project / "shop").mkdir(parents=True)
    (project / "shop" / "__init__.py").write_text("")
    (project / "shop" / "prices.py").write_text("import counter\ncounter.imports += 1\nPRICE = 3\n")
    (project / "shop" / "cart.py").write_text("from shop.prices import PRICE\nTOTAL = 2 * PRICE\n")
    installed = project / ".venv" / "lib" / "python3.11" / "site-packages"
    installed.mkdir(parents=True)
    (installed / "vendored.py").write_text("VALUE = 1\n")
    (tmp_path / "counter.py").write_text("imports = 0\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.syspath_prepend(str(installed))
    names = ("counter", "vendored", "shop", "shop.prices", "shop.cart")
    yield project
    for name in names:
        sys.modules.pop(name, None)


def test_forgetting_user_modules_imports_them_again_and_keeps_installed_ones(user_tree):
    keep = frozenset(sys.modules)
    loader = ModuleLoader()
    spec = {"path": str(user_tree / "shop" / "cart.py"), "name": "shop.cart",
            "sys_path": [str(user_tree)]}
    cart = loader.load(spec)
    import counter
    import vendored

    assert cart.TOTAL == 6 and counter.imports == 1
    removed = forget_user_modules(loader.roots, keep=keep)
    assert sorted(removed) == ["shop", "shop.cart", "shop.prices"]
    assert "vendored" in sys.modules  # under site-packages, although inside the project
    assert "counter" in sys.modules  # outside the project's roots

    again = ModuleLoader().load(spec)
    assert again is not cart and again.TOTAL == 6
    assert counter.imports == 2, "the sibling module was not imported again"


def test_modules_imported_before_the_mark_are_kept(user_tree):
    loader = ModuleLoader()
    spec = {"path": str(user_tree / "shop" / "cart.py"), "name": "shop.cart",
            "sys_path": [str(user_tree)]}
    loader.load(spec)
    assert forget_user_modules(loader.roots, keep=frozenset(sys.modules)) == []
