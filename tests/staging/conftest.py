"""A staged CIB on a private file, built from configuration-language text."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from crmshell.cibsource import FileSource
from crmshell.lang.parser import parse_document
from crmshell.lang.render import render_configuration
from crmshell.staging.define import define
from crmshell.staging.staged import StagedCib

from tests.shared_paths import EMPTY_CIB as EMPTY


class Staging:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.staged = StagedCib(FileSource(path, path.name))

    def define(self, text: str) -> None:
        define(self.staged, parse_document(text))

    def show(self) -> str:
        return render_configuration(self.staged.configuration)

    def lines(self) -> list[str]:
        return [l for l in self.show().splitlines()]


@pytest.fixture
def staging(tmp_path: Path) -> Staging:
    shutil.copy(EMPTY, tmp_path / "cib.xml")
    return Staging(tmp_path / "cib.xml")
