"""Every user-facing string is marked for translation, so Spanish and French need no code change."""
import ast
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


# --- Python: the strings a person reads are marked too --------------------------------------

PYTHON_SOURCES = ("permits",)


def _raw_text(node: ast.AST | None) -> bool:
    """A literal sentence (or an f-string, or a concatenation of one) that no gettext call wraps."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and bool(re.search(r"[A-Za-z]{2}", node.value))
    if isinstance(node, ast.JoinedStr):
        return any(_raw_text(part) for part in node.values if isinstance(part, ast.Constant))
    if isinstance(node, ast.BinOp):
        return _raw_text(node.left) or _raw_text(node.right)
    return False


def _name(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


_GETTEXT = {"_", "gettext", "ngettext", "_l", "lazy_gettext", "N_"}


def _unmarked_in(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):  # pybabel does not look inside f-strings
            found += [(node.lineno, "_() in an f-string") for inner in ast.walk(node)
                      if isinstance(inner, ast.Call) and _name(inner) in _GETTEXT]
        if not isinstance(node, ast.Call):
            continue
        name = _name(node)
        keywords = {k.arg: k.value for k in node.keywords}
        said: list[ast.AST | None] = []
        if name in {"flash", "ValidationError", "StopValidation"}:
            said = node.args[:1]
        elif (name.endswith("Field") and name != "Field") or name in {"PlainSelect"}:
            # (pydantic's bare Field describes the API for the OpenAPI document, in English)
            said = [*node.args[:1], keywords.get("label"), keywords.get("description")]
            choices = keywords.get("choices")
            if isinstance(choices, ast.List | ast.Tuple):
                said += [item.elts[1] for item in choices.elts
                         if isinstance(item, ast.Tuple) and len(item.elts) == 2]
        found += [(node.lineno, name) for text in said if _raw_text(text)]
    return found


def test_python_strings_people_read_are_marked_for_translation():
    offenders = {}
    for package in PYTHON_SOURCES:
        for path in sorted((ROOT / package).rglob("*.py")):
            found = _unmarked_in(ast.parse(path.read_text(encoding="utf-8")))
            if found:
                offenders[str(path.relative_to(ROOT))] = found
    assert offenders == {}, f"wrap these in _() / _l(): {offenders}"


# The domain errors people read: their message and field messages are Messages
# (standards.messages), never raw English.
_ERRORS = re.compile(r"(Error|NotFound|NotAllowed|Conflict|InvalidTransition|ValidationFailed|WrongType|"
                     r"Malformed|Unauthenticated|UnknownUnit|UnknownStandard|ChecksNotMet|NotActive|"
                     r"InvalidApplication)$")
_HELPERS = {"fail", "invalid", "conflict", "forbidden", "_Bad", "on", "bad"}
# Modules whose `bad` helper reports a malformed packaged data file to the operator
# (a CatalogueError/ValueError), not a field a user typed.
_DATA_FILE_CHECKS = {"standards/catalogue.py", "standards/treaties.py"}
# A programmer's mistake or an operator's configuration (a malformed catalogue file), not
# something a user reads.
_DEVELOPER_ERRORS = {"ValueError", "TypeError", "KeyError", "RuntimeError", "AssertionError",
                     "ConfigError", "UsageError", "CatalogueError"}


def _raw_errors_in(tree: ast.AST, helpers: set[str] = _HELPERS) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        # errors["field"] = ["is required"]: a field's message built up before the raise
        if (isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Subscript)
                and isinstance(node.value, ast.List)
                and any(_raw_text(item) and " " in ast.unparse(item) for item in node.value.elts)):
            found.append((node.lineno, "field message"))
        if (isinstance(node, ast.Call) and _name(node) not in _DEVELOPER_ERRORS
                and (_ERRORS.search(_name(node)) or _name(node) in helpers)):
            said = [*node.args, *(k.value for k in node.keywords if k.arg in {"message", "fields"})]
            for arg in said:
                texts = [arg]
                if isinstance(arg, ast.Dict):  # {"field": ["message"]}
                    texts = [item for value in arg.values if isinstance(value, ast.List)
                             for item in value.elts]
                if any(_raw_text(t) and " " in ast.unparse(t) for t in texts):
                    found.append((node.lineno, _name(node)))
                    break
    return found


def test_domain_errors_say_messages_not_raw_english():
    offenders = {}
    for package in ("standards", "facility_registry", "permits"):
        for path in sorted((ROOT / package).rglob("*.py")):
            name = str(path.relative_to(ROOT))
            helpers = _HELPERS - {"bad"} if name in _DATA_FILE_CHECKS else _HELPERS
            found = _raw_errors_in(ast.parse(path.read_text(encoding="utf-8")), helpers)
            if found:
                offenders[name] = found
    assert offenders == {}, f"say these with Message.of(code, N_(...)): {offenders}"


def _target(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return _target(node.value) if isinstance(node, ast.Subscript) else ""


def _raw_items(value: ast.AST) -> bool:
    items = value.elts if isinstance(value, ast.List | ast.Tuple) else [value]
    return any(_raw_text(item) and " " in ast.unparse(item) for item in items)


def _raw_reasons_in(tree: ast.AST) -> list[tuple[int, str]]:
    """A service result's reasons (`reasons.append(f"...")`, `reasons = ["..."]`,
    `extra_reasons=[f"..."]`) said in raw English: a page cannot render them in its language.
    (A `reasons=` keyword alone is a person's own words, passed through.)"""
    found = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in {"append", "extend", "insert"}
                and _target(node.func.value).endswith("reasons")
                and any(_raw_items(arg) for arg in node.args)):
            found.append((node.lineno, "reasons." + node.func.attr))
        elif (isinstance(node, ast.Assign) and any(_target(t).endswith("reasons") for t in node.targets)
              and _raw_items(node.value)):
            found.append((node.lineno, "reasons ="))
        elif isinstance(node, ast.Call):
            found += [(node.lineno, k.arg) for k in node.keywords
                      if k.arg and k.arg.endswith("_reasons") and _raw_items(k.value)]
    return found


def test_service_reasons_are_messages_not_raw_english():
    offenders = {}
    for package in ("standards", "facility_registry", "permits"):
        for path in sorted((ROOT / package).rglob("*.py")):
            found = _raw_reasons_in(ast.parse(path.read_text(encoding="utf-8")))
            if found:
                offenders[str(path.relative_to(ROOT))] = found
    assert offenders == {}, f"say these with Message(define(code, N_(...)), params): {offenders}"


def test_the_reasons_check_sees_what_it_should():
    source = ('reasons.append(f"the facility is {status}")\nreasons.append(Message(NOT_ACTIVE, {}))\n'
              'self.reasons = ["no standard in force"]\nrecord(extra_reasons=[f"denied: {why}"])\n'
              'screen(reasons="Specific and credible.")\n')
    assert [name for _, name in sorted(_raw_reasons_in(ast.parse(source)))] == [
        "reasons.append", "reasons =", "extra_reasons"]


def test_the_python_check_sees_what_it_should():
    assert _unmarked_in(ast.parse('x = f"[{_(\'met\')}]"')) == [(1, "_() in an f-string")]
    source = ('flash("Saved.")\nflash(_("Saved."))\nname = StringField("Name")\n'
              'other = StringField(_l("Name"), description="A hint")\n'
              'kind = SelectField(_l("Kind"), choices=[("a", "Alpha"), ("b", _l("Beta"))])\n'
              'raise ValidationError(f"{x} is wrong")\n')
    assert [name for _, name in _unmarked_in(ast.parse(source))] == [
        "flash", "StringField", "StringField", "SelectField", "ValidationError"]
    raw = 'raise NotFound(f"No permit {n}.")\nraise NotFound(Message.of("x", N_("No permit.")))\n' \
          'raise InvalidApplication({"reason": ["is required"]})\n' \
          'bad("country", f"{c} is not needed")\nerrors["quantity"] = ["must be at least one"]\n' \
          'bad("country", Message.of("x", N_("is not needed")))\n'
    assert sorted(name for _, name in _raw_errors_in(ast.parse(raw))) == [
        "InvalidApplication", "NotFound", "bad", "field message"]


def test_the_catalogue_data_is_extracted_for_translation(tmp_path):
    """Every standard's title and note and every code's description enters the catalogues
    (standards/catalogue_text.py, registered in babel.cfg), so the test above holds them to
    the same standard as the code's strings."""
    import json

    from standards.catalogue_text import texts

    extracted = {m.id for m in _read(_extract(tmp_path)) if m.id}
    data = [json.loads((ROOT / "standards" / "data" / name).read_text(encoding="utf-8"))
            for name in ("catalogue.json", "codes.json")]
    wanted = {text for content in data for _code, _field, text in texts(content)}
    assert len(wanted) > 70 and "Lead, workplace air: permissible exposure limit" in wanted
    assert "Deposit into or onto land (e.g., landfill)." in wanted  # a code's description
    assert any(field == "evidence_required" for content in data for _code, field, _text in texts(content))
    assert wanted - extracted == set()
