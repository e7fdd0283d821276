"""The fonts the studio's PDFs (invoices, licence certificates) print with, found by path
at run time: DejaVu Sans (Debian fonts-dejavu-core) for Latin, Greek and Cyrillic, and
WenQuanYi Micro Hei (Debian fonts-wqy-microhei; Apache-2.0 or GPLv3 with the font
exception) for Chinese, Japanese and Korean, which fpdf2 falls back to glyph by glyph.
Both are TrueType, so fpdf2 embeds the glyphs a document uses (a subset), and the PDF
prints the same wherever it is opened."""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF

FAMILY = "DejaVu"  # what documents set_font with; CJK text falls back to CJK_FAMILY
CJK_FAMILY = "WenQuanYi"
# family, style → the font file and the Debian package that installs it
DEBIAN_FONTS = Path("/usr/share/fonts/truetype")
FONTS = {
    (FAMILY, ""): (DEBIAN_FONTS / "dejavu/DejaVuSans.ttf", "fonts-dejavu-core"),
    (FAMILY, "B"): (DEBIAN_FONTS / "dejavu/DejaVuSans-Bold.ttf", "fonts-dejavu-core"),
    (CJK_FAMILY, ""): (DEBIAN_FONTS / "wqy/wqy-microhei.ttc", "fonts-wqy-microhei"),
}


class FontMissing(RuntimeError):
    """A font the PDFs need is not installed (an installation fault, not the user's)."""


def font_problems() -> list[str]:
    """What is missing, one sentence each naming the file and its Debian package."""
    return [
        f"the PDF font {path} is missing: install the Debian package {package} "
        "(scripts/debian-packages.txt; make setup installs it)"
        for path, package in FONTS.values()
        if not path.is_file()
    ]


def new_pdf(title: str) -> FPDF:
    """An A4 document with the fonts registered (set_font(FAMILY, …)); FontMissing,
    naming the package, when one is not installed."""
    problems = font_problems()
    if problems:
        raise FontMissing("; ".join(problems))
    doc = FPDF(format="A4")
    doc.set_title(title)
    for (family, style), (path, _package) in FONTS.items():
        doc.add_font(family, style, str(path))  # the .ttc's first face: Micro Hei
    # Bold Chinese falls back to the regular face (Micro Hei has no bold).
    doc.set_fallback_fonts([CJK_FAMILY], exact_match=False)
    return doc
