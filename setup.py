"""Packaging hook: the top-level `migrations/` and `knowledge/` folders travel inside the wheel.

In a checkout they stay at the top level (where operators and reviewers look for them);
an installed package finds them as `portal/migrations` and `portal/knowledge`, so a
plain `pip install .` on a server with no checkout can still migrate and seed.
"""
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
BUNDLED = ("migrations", "knowledge")


class BuildWithBundledFolders(build_py):
    """build_py that also copies the bundled top-level folders into the built package."""

    def run(self):
        super().run()
        for name in BUNDLED:
            target = Path(self.build_lib) / "portal" / name
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(HERE / name, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))


setup(cmdclass={"build_py": BuildWithBundledFolders})
