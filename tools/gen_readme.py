"""Build the addon's README.rst and its Apps page from the readme/ fragments.

Usage: python3 tools/gen_readme.py [--check]

Writes lead_pool_policy/README.rst (OCA layout) and, from the same text,
lead_pool_policy/static/description/index.html, the page Odoo's Apps menu
shows (as the OCA's oca-gen-addon-readme does, with docutils' HTML writer).
The screenshots in static/description (tools/screenshots.py) appear in both,
with the captions below. With --check, writes nothing and fails when either
file is out of date or is not valid reStructuredText.

The fragments are Markdown kept to the subset that reads the same in
reStructuredText (paragraphs, lists, **bold**, *italic*); "## x" headings
become RST sub-sections.
"""

import ast
import pathlib
import re
import sys

ADDON = pathlib.Path(__file__).resolve().parent.parent / "lead_pool_policy"
DESCRIPTION_DIR = "static/description"
SECTIONS = [
    ("DESCRIPTION.md", None),
    ("SCREENSHOTS", "Screenshots"),
    ("INSTALL.md", "Installation"),
    ("CONFIGURE.md", "Configuration"),
    ("USAGE.md", "Usage"),
    ("HISTORY.md", "Changelog"),
    ("CONTRIBUTORS.md", "Contributors"),
]
# The Apps listing's screenshots, in the order shown: those present in
# static/description appear (tools/screenshots.py writes them).
SCREENSHOTS = [
    (
        "screenshot_pool.png",
        (
            "*CRM › Public Pool* as a salesperson sees it: the leads nobody "
            "followed up in time, returned or deleted, best priority first, with "
            "their temperature, qualification and why they are in the pool. "
            "*Claim* takes one lead or the selected ones, *Claim next best lead* "
            "the best one, within the team's limits counted beside it."
        ),
    ),
    (
        "screenshot_lead.png",
        (
            "A lead the salesperson claimed from the pool: its temperature and "
            "MQL / SQL / PQL qualification, the BANT answers with the questions "
            "to ask, the fit, engagement, lead and priority scores, and when the "
            "pool takes the lead back if nobody contacts it."
        ),
    ),
    (
        "screenshot_settings.png",
        (
            "*CRM › Configuration › Settings*, block *Lead Qualification & Pool*: "
            "lead scoring, priority by source, stars that follow the temperature, "
            "follow-up discipline and the activities that count as a contact; the "
            "pool's recycle and claim rules follow."
        ),
    ),
    (
        "screenshot_team.png",
        (
            "A sales team's *Pool Policy* tab (*CRM › Configuration › Sales "
            "Teams*): the team's own recycle rules, warnings, exemptions, "
            "escalation and recycle days by segment, each with the company value "
            "it replaces."
        ),
    ),
    (
        "screenshot_dashboard.png",
        "The CRM dashboard (*CRM › Sales › Teams*): a card for each sales team.",
    ),
    (
        "screenshot_pool_health.png",
        "*Pool Health*: how the pool is doing, team by team.",
    ),
]
# Odoo's Apps page drops <style> (html_sanitize): the page reads well there
# with the inline styles docutils writes and the backend's Bootstrap classes
# the figures carry (border rounded shadow-sm, mb-4); this style serves the
# file opened on its own.
STYLE = """
body { margin: 0 auto; max-width: 64rem; padding: 1rem 1.5rem;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans",
  "Helvetica Neue", Arial, sans-serif; line-height: 1.5; color: #212529; }
h1, h2, h3 { line-height: 1.25; color: #374151; }
a { color: #017e84; }
div.figure { margin: 1.5rem 0 2rem; }
div.figure img { display: block; height: auto; max-width: 100%;
  border: 1px solid #dee2e6; border-radius: .375rem;
  box-shadow: 0 .125rem .25rem rgba(0, 0, 0, .075); }
p.caption { margin: .5rem 0 0; color: #6c757d; font-size: .95em; }
div.contents ul { list-style: none; padding-left: 1rem; }
tt, code { font-size: .95em; }
"""
# As the OCA's tools publish (pypa/readme_renderer's settings): no file
# inclusion, no raw HTML, stop at the first warning.
HTML_SETTINGS = {
    "file_insertion_enabled": False,
    "raw_enabled": False,
    "halt_level": 2,
    "report_level": 5,
    "smart_quotes": True,
    "syntax_highlight": "short",
    "output_encoding": "unicode",
    "xml_declaration": False,
    "embed_stylesheet": False,
    "stylesheet_path": "",
    "generator": False,
    # Sections are h2: the module's form shows its name as the h1.
    "initial_header_level": 2,
    "toc_backlinks": "none",  # headings as headings, not links
    "doctitle_xform": False,
}


def _title(text, char):
    return f"{text}\n{char * len(text)}\n"


def _md_to_rst(text):
    out = []
    for line in text.strip().splitlines():
        heading = re.match(r"^#+\s+(.*)$", line)
        if heading:
            out.append(_title(heading.group(1), "~"))
        else:
            out.append(line)
    return "\n".join(out) + "\n"


def _screenshots_rst(image_dir):
    """The figures of the screenshots present, their paths under image_dir."""
    figures = []
    for fname, caption in SCREENSHOTS:
        if not (ADDON / DESCRIPTION_DIR / fname).exists():
            continue
        alt = re.sub(r"[*]", "", caption.split(":")[0])
        figures.append(
            f".. figure:: {image_dir}{fname}\n"
            f"   :alt: {alt}\n"
            "   :width: 100%\n"
            "   :class: border rounded shadow-sm\n"
            "   :figclass: mb-4\n\n"
            f"   {caption}\n"
        )
    return "\n".join(figures)


def build(html=False):
    """README.rst's text; with html=True, that of index.html: the module's
    form already shows its name, summary and licence above it, so it starts
    with the description (the table of contents after it), and its images
    are the files beside it in static/description."""
    manifest = ast.literal_eval((ADDON / "__manifest__.py").read_text())
    generated = (
        ".. !! This file is generated by tools/gen_readme.py from readme/: "
        "edit the fragments, then run it."
    )
    contents = ["**Table of contents**", "", ".. contents::", "   :local:", ""]
    if html:
        head = [generated, ""]
        image_dir = ""
    else:
        head = [
            "=" * len(manifest["name"]),
            manifest["name"],
            "=" * len(manifest["name"]),
            "",
            generated,
            "",
            f"|license| {manifest['summary']}",
            "",
            (
                ".. |license| image:: https://img.shields.io/badge/licence-"
                f"{manifest['license'].replace('-', '--')}-blue.png"
            ),
            "",
            *contents,
        ]
        image_dir = f"{DESCRIPTION_DIR}/"
    parts = head
    for fname, title in SECTIONS:
        if fname == "SCREENSHOTS":
            text = _screenshots_rst(image_dir)
        else:
            path = ADDON / "readme" / fname
            text = _md_to_rst(path.read_text()) if path.exists() else ""
        if not text:
            continue
        if title:
            parts.append(_title(title, "="))
        parts.append(text)
        if html and fname == "DESCRIPTION.md":
            parts.extend(contents)
    return "\n".join(parts).rstrip() + "\n"


def to_html(text, title):
    """The Apps page of README text (html4css1, as the OCA's index.html and
    Odoo's own rendering of a README.rst); fails on any RST warning."""
    import docutils.core

    html = docutils.core.publish_string(
        text,
        writer_name="html4css1",
        settings_overrides={**HTML_SETTINGS, "title": title},
    )
    # Without the version of docutils that wrote it: the file is compared.
    html = re.sub(r'<meta name="generator"[^>]*>\n', "", html)
    return html.replace("</head>", f"<style>{STYLE}</style>\n</head>", 1)


def check_rst(text, name):
    """Fail on any reStructuredText warning: Odoo renders README.rst on the
    module's page, and the OCA's tools publish it."""
    import docutils.core
    import docutils.utils

    try:
        docutils.core.publish_string(
            text,
            writer_name="null",
            settings_overrides={"report_level": 5, "halt_level": 2},
        )
    except docutils.utils.SystemMessage as error:
        sys.exit(f"{name} is not valid reStructuredText: {error}")


def outputs():
    name = ast.literal_eval((ADDON / "__manifest__.py").read_text())["name"]
    readme = build()
    check_rst(readme, "README.rst")
    html_source = build(html=True)
    check_rst(html_source, "index.html's source")
    return {
        ADDON / "README.rst": readme,
        ADDON / DESCRIPTION_DIR / "index.html": to_html(html_source, name),
    }


def main():
    stale = []
    for target, text in outputs().items():
        if target.exists() and target.read_text(encoding="utf-8") == text:
            continue
        if "--check" in sys.argv:
            stale.append(target.relative_to(ADDON.parent))
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
            print(f"wrote {target.relative_to(ADDON.parent)}")
    if stale:
        sys.exit(
            f"{', '.join(map(str, stale))} out of date: run python3 tools/gen_readme.py"
        )


if __name__ == "__main__":
    main()
