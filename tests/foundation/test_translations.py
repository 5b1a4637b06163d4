"""Every user-facing string is marked for translation, so Spanish and French need no code change."""
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"
# Words that are the same in every language: units, abbreviations, codes.
NEUTRAL_WORDS = {"UTC", "CSV", "PDF", "JSON", "API", "ID", "µg", "mg", "m", "L", "dscm", "t", "kg",
                 "CO", "e", "EPA", "RCRA", "NRA", "SEMARNAT", "SHA"}


def _is_neutral(piece: str) -> bool:
    return all(word in NEUTRAL_WORDS for word in re.findall(r"[^\W\d_]+", piece))


def _bare_text(source: str) -> list[str]:
    source = re.sub(r"\{#.*?#\}", " ", source, flags=re.S)
    source = re.sub(r"\{%.*?%\}", " ", source, flags=re.S)
    source = re.sub(r"\{\{.*?\}\}", " ", source, flags=re.S)
    source = re.sub(r"<(script|style)\b.*?</\1>", " ", source, flags=re.S)
    source = re.sub(r"<[^>]*>", "\n", source, flags=re.S)
    source = re.sub(r"&[a-z]+;|&#\d+;", " ", source)
    pieces = (p.strip() for p in source.split("\n"))
    return [p for p in pieces if p and not _is_neutral(p)]


def test_templates_have_no_unmarked_text():
    offenders = {}
    for path in sorted(TEMPLATES.rglob("*.html")):
        bare = _bare_text(path.read_text(encoding="utf-8"))
        if bare:
            offenders[str(path.relative_to(ROOT))] = bare[:5]
    assert offenders == {}, f"wrap these in {{{{ _('...') }}}}: {offenders}"


def test_visible_attributes_are_marked_too():
    pattern = re.compile(r'\b(?:aria-label|title|placeholder|alt)="([^"{]*[A-Za-z][^"{]*)"')
    offenders = {str(p.relative_to(ROOT)): pattern.findall(p.read_text(encoding="utf-8"))
                 for p in TEMPLATES.rglob("*.html")}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_extraction_finds_the_marked_strings(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", str(ROOT / "babel.cfg"),
                    "-k", "_l", "-k", "lazy_gettext", "-o", str(pot), str(ROOT)],
                   check=True, capture_output=True, cwd=ROOT)
    text = pot.read_text(encoding="utf-8")
    assert 'msgid "Sign in"' in text
    assert 'msgid "Email or password is not right."' in text
