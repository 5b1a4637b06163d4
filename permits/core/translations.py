"""The interface languages: compiling the catalogues and choosing the reader's language.

The `.po` files under translations/ are the source; the `.mo` files Flask-Babel reads are build
outputs, compiled here when the app starts if they are missing or older than their `.po`, so a
fresh clone, an editable install and CI all run without a separate compile step.
"""
from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

log = logging.getLogger(__name__)

SOURCE_LANGUAGE = "en"  # the msgids: English needs no catalogue


def compile_catalogues(source: Path, fallback: Path) -> Path:
    """The directory holding an up-to-date `.mo` beside each `.po` of `source`.

    Compiled in place; when the checkout is read-only (a packaged install), into `fallback`
    (the instance folder) instead. Written to a temporary file and renamed, so that several
    workers starting at once never read a half-written catalogue.
    """
    try:
        _compile_stale(source, source)
        return source
    except OSError:
        log.info("translations: %s is read-only, compiling into %s", source, fallback)
        _compile_stale(source, fallback)
        return fallback


def _compile_stale(source: Path, target: Path) -> None:
    for po_path in sorted(source.glob("*/LC_MESSAGES/messages.po")):
        mo_path = target / po_path.relative_to(source).with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        mo_path.parent.mkdir(parents=True, exist_ok=True)
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=po_path.parts[-3])
        handle, temporary = tempfile.mkstemp(dir=mo_path.parent, suffix=".mo.tmp")
        try:
            with os.fdopen(handle, "wb") as mo_file:
                # Fuzzy entries are left out, as gettext does: a guess never reaches a reader.
                write_mo(mo_file, catalog, use_fuzzy=False)
            os.replace(temporary, mo_path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


def compiled_languages(directory: Path) -> set[str]:
    """The languages with a compiled catalogue, plus the source language."""
    found = {p.parts[-3] for p in directory.glob("*/LC_MESSAGES/messages.mo")}
    return found | {SOURCE_LANGUAGE}


def own_name(code: str) -> str:
    """A language named in itself ("Español", "Français"), as a reader looking for it expects."""
    name = Locale.parse(code).get_display_name(code) or code
    return name[:1].upper() + name[1:]
