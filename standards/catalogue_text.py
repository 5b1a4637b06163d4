"""The sentences of the packaged catalogue data a person reads, for translation.

`standards/data/catalogue.json` (each standard's `title` and `note`) and `codes.json` (each
waste and operation code's `description`) are English data. `extract` is a Babel extraction
method (registered in babel.cfg's `[extractors]`), so `pybabel extract` puts these texts into
`translations/messages.pot` beside the code's strings; the pages, the API's human fields and
the PDFs look each text up in the reader's catalogue at the edge (`permits.web.labels.data_text`)
and show the English as stored when the catalogue has no translation (a version an
administrator added later, with their own words).

What is stored (a standard's row, a decision's checks) keeps the English: it is the data.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, BinaryIO

# (list key in the file, fields of each entry that a person reads)
TRANSLATED_FIELDS: dict[str, tuple[str, ...]] = {
    "standards": ("title", "note", "evidence_required"),
    "waste_codes": ("description",),
    "operation_codes": ("description",),
}


def texts(data: dict[str, Any]) -> Iterator[tuple[str, str, str]]:
    """(entry code, field, English text) of every translated field of a data file's content."""
    for key, fields in TRANSLATED_FIELDS.items():
        for entry in data.get(key) or ():
            for field in fields:
                text = entry.get(field)
                if isinstance(text, str) and text.strip():
                    yield str(entry.get("code", "?")), field, text


def extract(fileobj: BinaryIO, keywords, comment_tags, options) -> Iterator[tuple[int, str | None, str, list[str]]]:
    """Babel extraction method: (line, function, message, comments) per translated text."""
    source = fileobj.read().decode(options.get("encoding", "utf-8"))
    data = json.loads(source)
    for code, field, text in texts(data):
        # The line of the text in the file, for a translator looking for its context.
        at = source.find(json.dumps(text, ensure_ascii=False)[1:-1])
        line = source.count("\n", 0, at) + 1 if at >= 0 else 0
        yield line, None, text, [f"{code}: {field}"]
