"""The Fields page, generated from schema/study.schema.json so the docs never drift from it.

The schema's descriptions are the page's text: `make messages` extracts them into the catalogue
(`extract_descriptions`, named in babel.cfg), and the page shows each in the edition's language."""

from __future__ import annotations

import json

from .context import Context
from .i18n import N_
from .schema import load_schema

PAGE = "fields.md"

TYPES = {"integer": N_("whole number"), "string": N_("text"), "boolean": N_("true or false")}
LISTS = {"object": N_("list of name parts"), "string": N_("list of string")}
FOR_ADDED = N_("for a study added in an update")
FOR_REVIEW = N_("for a study of the published review")
YES, NO = N_("yes"), N_("no")


def _type(ctx: Context, spec: dict) -> str:
    if "enum" in spec:
        return ctx._("one of: %(values)s", values=", ".join(spec["enum"]))
    kind = spec.get("type", "")
    if kind == "array":
        item = spec.get("items", {}).get("type", "values")
        return ctx._(LISTS[item]) if item in LISTS else ctx._("list of %(type)s", type=item)
    return ctx._(TYPES[kind]) if kind in TYPES else kind


def _conditions(schema: dict) -> dict[str, str]:
    """Fields required only in some files (the schema's `allOf` of `if`/`then`): field -> when."""
    when = {}
    for rule in schema.get("allOf", []):
        condition, then = rule.get("if", {}), rule.get("then", {})
        if condition.get("required") == ["update"]:
            text = FOR_ADDED
        elif condition.get("not", {}).get("required") == ["update"]:
            text = FOR_REVIEW
        else:
            continue
        for name in then.get("required", []):
            when[name] = text
    return when


def _properties(schema: dict, prefix: str = ""):
    """Every property (and sub-property of a list of objects) of a schema, in schema order: (name, spec, schema)."""
    for name, spec in schema.get("properties", {}).items():
        yield prefix + name, name, spec, schema
        items = spec.get("items", {})
        if items.get("type") == "object":
            yield from _properties(items, prefix=f"{prefix}{name}[].")


def fields(ctx: Context, schema: dict) -> list[dict]:
    """Every property (and sub-property) of a schema, in schema order, described in the edition's language."""
    rows = []
    for full, name, spec, parent in _properties(schema):
        required = set(parent.get("required", []))
        example = spec.get("examples", [""])[0]
        description = spec.get("description", "")
        rows.append(
            {
                "name": full,
                "anchor": full.replace(".", "-").replace("[]", ""),
                "type": _type(ctx, spec),
                "required": ctx._(YES if name in required else _conditions(parent).get(name, NO)),
                "description": ctx._(description) if description else "",
                "example": example if isinstance(example, str) else json.dumps(example, ensure_ascii=False),
            }
        )
    return rows


def extract_descriptions(fileobj, keywords, comment_tags, options):
    """Babel's extractor for the schema (babel.cfg): each description the Fields page shows, with its line."""
    text = fileobj.read().decode("utf-8")
    lines = text.splitlines()
    for _, _, spec, _ in _properties(json.loads(text)):
        description = spec.get("description")
        if description:
            quoted = json.dumps(description, ensure_ascii=False)
            lineno = next((n for n, line in enumerate(lines, 1) if quoted in line), 0)
            yield lineno, None, description, []


def page(ctx: Context) -> str:
    return ctx.render("fields.md.j2", fields=fields(ctx, load_schema("study")))


def write(writer, ctx: Context) -> None:
    writer.write(PAGE, page(ctx))
