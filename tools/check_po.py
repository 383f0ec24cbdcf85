"""Check what OCA's pre-commit checks leave out of the addon's translations.

Run by ``./dev lint`` after OCA's ``oca-checks-po``, which covers the files'
syntax (po-syntax-error, with the line), duplicate messages and model
entries, and the ``#. module:`` comments (its po-pretty-format is off: see
``.oca_hooks.cfg``). Kept here, as this project's own rules or because OCA's
checks cannot see them:

- the template (``i18n/<addon>.pot``) has exactly the messages of a freshly
  exported one (``--fresh``): the template matches the code;
- each language of ``LANGUAGES`` is shipped, has exactly the template's
  messages (none missing, none obsolete) and translates every one of them
  (no empty or fuzzy entry): every language is complete;
- each translation keeps the placeholders of its msgid (``%(name)s``, ``%s``,
  ``{name}``). OCA's po-python-parse-printf and po-python-parse-format only
  read entries flagged ``#, python-format``, a flag Odoo 18 no longer
  exports, so they check none of this addon's entries.

A language file that does not parse is only named (oca-checks-po says where).
Prints each problem; exits 1 if there is any.
"""

import argparse
import collections
import re
import sys
from pathlib import Path

import polib

ADDON = Path(__file__).resolve().parent.parent / "lead_pool_policy"
LANGUAGES = ("zh_CN", "zh_TW", "vi", "ro")
PLACEHOLDER = re.compile(r"%\(\w+\)[sdfr]|%[sdfr]|\{\w*\}")


def messages(catalog):
    return {(entry.msgctxt, entry.msgid) for entry in catalog if not entry.obsolete}


def placeholders(text):
    return collections.Counter(PLACEHOLDER.findall(text))


def check_language(lang, template):
    path = ADDON / "i18n" / f"{lang}.po"
    if not path.exists():
        return [f"{path.name}: missing (every language of the seeds is shipped)"]
    try:
        catalog = polib.pofile(str(path))
    except (OSError, ValueError):
        # oca-checks-po says where (po-syntax-error).
        return [f"{path.name}: not checked: it does not parse"]
    problems = []
    expected = messages(template)
    found = messages(catalog)
    for _ctxt, msgid in sorted(expected - found, key=str):
        problems.append(f"{path.name}: not in the file: {msgid!r}")
    for _ctxt, msgid in sorted(found - expected, key=str):
        problems.append(f"{path.name}: not in the template (obsolete): {msgid!r}")
    for entry in catalog:
        if entry.obsolete:
            continue
        if "fuzzy" in entry.flags:
            problems.append(f"{path.name}:{entry.linenum}: fuzzy: {entry.msgid!r}")
        if not entry.msgstr.strip():
            problems.append(
                f"{path.name}:{entry.linenum}: untranslated: {entry.msgid!r}"
            )
        elif placeholders(entry.msgid) != placeholders(entry.msgstr):
            problems.append(
                f"{path.name}:{entry.linenum}: placeholders differ from the msgid: "
                f"{entry.msgid!r} -> {entry.msgstr!r}"
            )
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fresh", help="a template just exported from the code")
    args = parser.parse_args()
    template_path = ADDON / "i18n" / f"{ADDON.name}.pot"
    template = polib.pofile(str(template_path))
    problems = []
    if args.fresh:
        fresh, committed = messages(polib.pofile(args.fresh)), messages(template)
        for _ctxt, msgid in sorted(fresh - committed, key=str):
            problems.append(f"{template_path.name}: missing (run ./dev pot): {msgid!r}")
        for _ctxt, msgid in sorted(committed - fresh, key=str):
            problems.append(f"{template_path.name}: no longer in the code: {msgid!r}")
    for lang in LANGUAGES:
        problems += check_language(lang, template)
    for problem in problems:
        print(problem)
    if problems:
        print(f"check_po: {len(problems)} problem(s) in the translations")
        return 1
    print(f"check_po: template up to date, {', '.join(LANGUAGES)} complete")
    return 0


if __name__ == "__main__":
    sys.exit(main())
