"""Fill translations into the zh_Hans catalogue from a JSON object {msgid: msgstr}.

Entries are matched on their whole msgid (continuation lines joined; msgctxt entries as
"context\\x04msgid"); a filled entry loses its fuzzy flag and previous-msgid comments but
keeps its other flags (python-format). Plural entries get the text as msgstr[0].

    python scripts/po_fill.py new-strings.json && scripts/i18n.sh
"""

import json
import sys
from pathlib import Path

PO = Path(__file__).resolve().parents[1] / "kams/locale/zh_Hans/LC_MESSAGES/django.po"


def _unquote(lines: list[str]) -> str:
    return "".join(json.loads(line) for line in lines)


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _field(lines: list[str], keyword: str) -> tuple[str | None, int, int]:
    """The text of ``keyword`` (e.g. msgid) and the span of its lines."""
    for start, line in enumerate(lines):
        if line.startswith(keyword + " "):
            end = start + 1
            while end < len(lines) and lines[end].startswith('"'):
                end += 1
            return _unquote([line[len(keyword) + 1:], *lines[start + 1:end]]), start, end
    return None, -1, -1


def fill(text: str, table: dict[str, str]) -> tuple[str, set[str]]:
    blocks = text.split("\n\n")
    done: set[str] = set()
    for index, block in enumerate(blocks):
        lines = block.split("\n")
        msgid, _s, _e = _field(lines, "msgid")
        context, _cs, _ce = _field(lines, "msgctxt")
        key = f"{context}\x04{msgid}" if context is not None else msgid
        if not msgid or key not in table:
            continue
        translation = table[key]
        kept = []
        for line in lines:
            if line.startswith("#|"):
                continue
            if line.startswith("#,"):
                flags = [f.strip() for f in line[2:].split(",") if f.strip() and f.strip() != "fuzzy"]
                if flags:
                    kept.append("#, " + ", ".join(flags))
                continue
            kept.append(line)
        plural = any(line.startswith("msgid_plural ") for line in kept)
        first_msgstr = next(i for i, line in enumerate(kept) if line.startswith("msgstr"))
        kept = kept[:first_msgstr] + [f"msgstr[0] {_quote(translation)}" if plural else f"msgstr {_quote(translation)}"]
        blocks[index] = "\n".join(kept)
        done.add(key)
    return "\n\n".join(blocks), done


def main(table_path: str) -> int:
    table = json.loads(Path(table_path).read_text(encoding="utf-8"))
    text, done = fill(PO.read_text(encoding="utf-8"), table)
    PO.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    missing = set(table) - done
    for msgid in sorted(missing):
        print(f"not in the catalogue: {msgid!r}", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
