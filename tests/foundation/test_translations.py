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


# --- The catalogues: every message extracted from the code is translated in every language ---

LANGUAGES = ("es", "fr")
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def _extract(tmp_path: Path) -> Path:
    pot = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", str(ROOT / "babel.cfg"),
                    "-k", "_l", "-k", "lazy_gettext", "-k", "lazy_ngettext:1,2", "--no-location",
                    "-o", str(pot), str(ROOT)], check=True, capture_output=True, cwd=ROOT)
    return pot


def _read(path: Path, locale: str | None = None):
    from babel.messages.pofile import read_po

    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def test_every_message_is_translated_in_spanish_and_french_and_none_is_fuzzy(tmp_path):
    template = _read(_extract(tmp_path))
    problems = {}
    for language in LANGUAGES:
        catalogue = _read(ROOT / "translations" / language / "LC_MESSAGES" / "messages.po", language)
        missing, fuzzy, broken = [], [], []
        for message in template:
            if not message.id:
                continue
            found = catalogue.get(message.id)
            strings = () if found is None else (found.string if isinstance(found.string, tuple) else (found.string,))
            if found is None or not all(strings):
                missing.append(message.id)
            elif found.fuzzy:
                fuzzy.append(message.id)
            else:
                ids = message.id if isinstance(message.id, tuple) else (message.id,)
                expected = set(PLACEHOLDER.findall(" ".join(ids))) - {"%(num)d", "%(num)s"}
                if any(expected - set(PLACEHOLDER.findall(s)) for s in strings):
                    broken.append(message.id)
        if missing or fuzzy or broken:
            problems[language] = {"untranslated": missing[:20], "fuzzy": fuzzy[:20],
                                  "placeholders lost": broken[:20], "count": len(missing) + len(fuzzy)}
    assert problems == {}, (
        "run the pybabel extract/update commands of translations/README.md and translate these: "
        f"{problems}")


def test_the_catalogues_compile_without_errors():
    import io

    from babel.messages.mofile import write_mo

    for language in LANGUAGES:
        catalogue = _read(ROOT / "translations" / language / "LC_MESSAGES" / "messages.po", language)
        errors = [(message.id, [str(e) for e in errs]) for message, errs in catalogue.check()]
        assert errors == [], (language, errors[:10])
        write_mo(io.BytesIO(), catalogue)
