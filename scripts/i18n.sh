#!/usr/bin/env bash
# Refresh the Simplified Chinese catalogue after adding or changing translatable strings.
#
# Re-extracts every msgid from kams/ (tests and vendored static files excluded, no source
# locations so diffs stay small), merges into kams/locale/zh_Hans/LC_MESSAGES/django.po,
# compiles django.mo, and reports how many entries still need a translation (untranslated
# or fuzzy). Commit both the .po and the .mo: the runtime needs no gettext.
#
# Usage: scripts/i18n.sh          (needs GNU gettext: xgettext, msgmerge, msgfmt, msgattrib)
# Env:   PYTHON / DJANGO_ADMIN override the interpreter (default: the active venv or ./.venv).
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
APP_DIR="$REPO_ROOT/kams"
PO="$APP_DIR/locale/zh_Hans/LC_MESSAGES/django.po"
MO="${PO%.po}.mo"

if [[ -z "${DJANGO_ADMIN:-}" ]]; then
    if [[ -n "${VIRTUAL_ENV:-}" && -x "$VIRTUAL_ENV/bin/django-admin" ]]; then
        DJANGO_ADMIN="$VIRTUAL_ENV/bin/django-admin"
    elif [[ -x "$REPO_ROOT/.venv/bin/django-admin" ]]; then
        DJANGO_ADMIN="$REPO_ROOT/.venv/bin/django-admin"
    else
        DJANGO_ADMIN="$(command -v django-admin)"
    fi
fi

# Settings import creates VAR_DIR; keep that out of the tree.
if [[ -z "${KAMS_VAR_DIR:-}" ]]; then
    KAMS_VAR_DIR="$(mktemp -d -t kamsvar-i18n.XXXXXX)"
    trap 'rm -rf "$KAMS_VAR_DIR"' EXIT
fi
export KAMS_VAR_DIR
export PYTHONPATH="$REPO_ROOT${PYTHONPATH:+:$PYTHONPATH}"

mkdir -p "$APP_DIR/locale"
cd "$APP_DIR"
"$DJANGO_ADMIN" makemessages -l zh_Hans --settings=kams.settings \
    --ignore "*/tests/*" --ignore "static/*" --no-location
msgfmt --check -o "$MO" "$PO"

untranslated="$(msgattrib --untranslated --no-obsolete "$PO" | grep -c '^msgid ' || true)"
fuzzy="$(msgattrib --only-fuzzy --no-obsolete "$PO" | grep -c '^msgid ' || true)"
# msgattrib output repeats the header entry (msgid "") when anything is printed.
(( untranslated > 0 )) && untranslated=$((untranslated - 1))
(( fuzzy > 0 )) && fuzzy=$((fuzzy - 1))
echo "zh_Hans: $untranslated untranslated, $fuzzy fuzzy entries in ${PO#"$REPO_ROOT"/}"
