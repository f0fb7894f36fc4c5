"""Fill translations into the zh_Hans catalogue from a JSON object {msgid: msgstr}.

Clears the fuzzy flag of the entries it fills. Used after ``scripts/i18n.sh`` reports
untranslated or fuzzy entries:

    python scripts/po_fill.py new-strings.json && scripts/i18n.sh
"""

import json
import re
import sys
from pathlib import Path

PO = Path(__file__).resolve().parents[1] / "kams/locale/zh_Hans/LC_MESSAGES/django.po"


def escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def main(table_path: str) -> int:
    table = json.loads(Path(table_path).read_text(encoding="utf-8"))
    text = PO.read_text(encoding="utf-8")
    missing = []
    for msgid, msgstr in table.items():
        pattern = re.compile(
            r'(?:#, fuzzy[^\n]*\n)?(?:#\|[^\n]*\n)*((?:#[^\n]*\n)*msgid "%s"\n)msgstr "[^\n]*"\n' % re.escape(escape(msgid))
        )
        text, count = pattern.subn(lambda m: f'{m.group(1)}msgstr "{escape(msgstr)}"\n', text, count=1)
        if not count:
            missing.append(msgid)
    PO.write_text(text, encoding="utf-8")
    for msgid in missing:
        print(f"not in the catalogue: {msgid}", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
