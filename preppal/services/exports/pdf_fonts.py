"""Unicode fonts for the PDF export: DejaVu Sans (Latin, Greek, Cyrillic…) with Droid Sans
Fallback for CJK, both from Debian packages that scripts/bootstrap.sh installs
(``fonts-dejavu-core``, ``fonts-droid-fallback``).

When the fonts are missing (another OS, a trimmed image), the export still works with the
PDF core font Helvetica and text folded to Latin-1 ("?" for what it cannot show) and a
warning in the log saying which package to install. ``PREPPAL_PDF_FONT_DIR`` points at
another folder holding the same file names.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

DEJAVU_DIR = Path("/usr/share/fonts/truetype/dejavu")
DROID_DIR = Path("/usr/share/fonts/truetype/droid")
FAMILY = "DejaVu"
STYLES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf", "I": "DejaVuSans-Oblique.ttf"}
CJK_FILE = "DroidSansFallbackFull.ttf"
CJK_FAMILY = "DroidFallback"
MONO_FILE = "DejaVuSansMono.ttf"
MONO_FAMILY = "DejaVuMono"


@dataclass(frozen=True)
class FontSet:
    family: str  # "DejaVu" or the core "Helvetica"
    unicode: bool  # False: text must be folded to Latin-1
    files: dict[str, Path]  # style → file (empty for the core font)
    cjk: Path | None = None
    mono: Path | None = None  # for code; the core Courier without it

    @property
    def mono_family(self) -> str:
        return MONO_FAMILY if self.mono is not None else "Courier"


def _find(name: str, *dirs: Path) -> Path | None:
    for folder in dirs:
        candidate = folder / name
        if candidate.is_file():
            return candidate
    return None


def needs_cjk(text: str) -> bool:
    """Whether ``text`` has letters DejaVu lacks (CJK and beyond): only then is the 4 MB
    fallback font loaded (~0.3 s of CPU per export)."""
    return any(ord(ch) >= 0x2E80 for ch in text)


def find_fonts(*, cjk: bool = True, mono: bool = True) -> FontSet:
    extra = [Path(p) for p in [os.environ.get("PREPPAL_PDF_FONT_DIR", "")] if p]
    files = {style: _find(name, *extra, DEJAVU_DIR) for style, name in STYLES.items()}
    if any(path is None for path in files.values()):
        log.warning(
            "PDF export: DejaVu fonts not found in %s; non-Latin text prints as '?'. "
            "Install the Debian package fonts-dejavu-core (scripts/bootstrap.sh does).",
            DEJAVU_DIR,
        )
        return FontSet("Helvetica", False, {})
    cjk_file = _find(CJK_FILE, *extra, DROID_DIR) if cjk else None
    if cjk and cjk_file is None:
        log.info("PDF export: %s not found (fonts-droid-fallback): CJK text will be missing", CJK_FILE)
    mono_file = _find(MONO_FILE, *extra, DEJAVU_DIR) if mono else None
    return FontSet(FAMILY, True, {k: v for k, v in files.items() if v is not None}, cjk_file, mono_file)


def install(pdf, fonts: FontSet) -> None:
    """Register ``fonts`` with an ``FPDF`` document (nothing to do for the core font)."""
    if not fonts.unicode:
        return
    for style, path in fonts.files.items():
        pdf.add_font(fonts.family, style, str(path))
    if fonts.mono is not None:
        pdf.add_font(MONO_FAMILY, "", str(fonts.mono))
    if fonts.cjk is not None:
        pdf.add_font(CJK_FAMILY, "", str(fonts.cjk))
        pdf.set_fallback_fonts([CJK_FAMILY], exact_match=False)
