"""The PRISMA 2020 reporting checklists: their structure and the summary counts.

The item numbers and the section each belongs to are the statement's (Page et
al., 2021, BMJ 372:n71, tables 1 and 2); the wording and the assessment of each
item are data, in review.yml under `reporting`.
"""

from __future__ import annotations

from .i18n import N_
from .models import ChecklistItem

REPORTED, PARTLY, NOT_REPORTED, NOT_APPLICABLE = "reported", "partly reported", "not reported", "not applicable"
STATUSES = (REPORTED, PARTLY, NOT_REPORTED, NOT_APPLICABLE)


def _numbered(*groups: tuple[str, str]) -> dict[str, str]:
    """Item number -> section, from (section, "1 2 10a …") groups."""
    return {item: section for section, items in groups for item in items.split()}


# The PRISMA 2020 checklist: 27 items, 42 with their sub-items, in the statement's order.
ITEMS = _numbered(
    ("title", "1"),
    ("abstract", "2"),
    ("introduction", "3 4"),
    ("methods", "5 6 7 8 9 10a 10b 11 12 13a 13b 13c 13d 13e 13f 14 15"),
    ("results", "16a 16b 17 18 19 20a 20b 20c 20d 21 22"),
    ("discussion", "23a 23b 23c 23d"),
    ("other information", "24a 24b 24c 25 26 27"),
)
# The PRISMA 2020 for Abstracts checklist: 12 items.
ABSTRACT_ITEMS = _numbered(
    ("title", "1"),
    ("background", "2"),
    ("methods", "3 4 5 6"),
    ("results", "7 8"),
    ("discussion", "9 10"),
    ("other", "11 12"),
)
# The sections' names, translated where they are shown.
SECTIONS = {
    "title": N_("Title"),
    "abstract": N_("Abstract"),
    "introduction": N_("Introduction"),
    "methods": N_("Methods"),
    "results": N_("Results"),
    "discussion": N_("Discussion"),
    "other information": N_("Other information"),
}
ABSTRACT_SECTIONS = {
    "title": N_("Title"),
    "background": N_("Background"),
    "methods": N_("Methods"),
    "results": N_("Results"),
    "discussion": N_("Discussion"),
    "other": N_("Other"),
}
CHECKLISTS = {
    "items": ("PRISMA 2020", ITEMS, SECTIONS),
    "abstract_items": ("PRISMA 2020 for Abstracts", ABSTRACT_ITEMS, ABSTRACT_SECTIONS),
}


def counts(items) -> dict[str, int]:
    """How many items have each status, every status listed."""
    found = {status: 0 for status in STATUSES}
    for item in items:
        found[item.status] += 1
    return found


def summary(items: tuple[ChecklistItem, ...], sections: dict[str, str]) -> dict:
    """Counts per status for each section, in the checklist's order, and for all items."""
    rows = [
        {
            "section": key,
            "label": label,
            "counts": counts(i for i in items if i.section == key),
            "total": sum(i.section == key for i in items),
        }
        for key, label in sections.items()
    ]
    return {"rows": rows, "counts": counts(items), "total": len(items)}
