"""The Fields page, generated from schema/study.schema.json so the docs never drift from it."""

from __future__ import annotations

import json

from .context import Context
from .schema import load_schema

PAGE = "fields.md"


def _type(spec: dict) -> str:
    if "enum" in spec:
        return "one of: " + ", ".join(spec["enum"])
    kind = spec.get("type", "")
    if kind == "array":
        item = spec.get("items", {})
        return "list of " + ("name parts" if item.get("type") == "object" else item.get("type", "values"))
    return {"integer": "whole number", "string": "text", "boolean": "true or false"}.get(kind, kind)


def _conditions(schema: dict) -> dict[str, str]:
    """Fields required only in some files (the schema's `allOf` of `if`/`then`): field -> when."""
    when = {}
    for rule in schema.get("allOf", []):
        condition, then = rule.get("if", {}), rule.get("then", {})
        if condition.get("required") == ["update"]:
            text = "for a study added in an update"
        elif condition.get("not", {}).get("required") == ["update"]:
            text = "for a study of the published review"
        else:
            continue
        for name in then.get("required", []):
            when[name] = text
    return when


def fields(schema: dict, prefix: str = "") -> list[dict]:
    """Every property (and sub-property) of a schema, in schema order."""
    rows = []
    required = set(schema.get("required", []))
    conditional = _conditions(schema)
    for name, spec in schema.get("properties", {}).items():
        example = spec.get("examples", [""])[0]
        rows.append(
            {
                "name": prefix + name,
                "anchor": (prefix + name).replace(".", "-").replace("[]", ""),
                "type": _type(spec),
                "required": "yes" if name in required else conditional.get(name, "no"),
                "description": spec.get("description", ""),
                "example": example if isinstance(example, str) else json.dumps(example, ensure_ascii=False),
            }
        )
        items = spec.get("items", {})
        if items.get("type") == "object":
            rows += fields(items, prefix=f"{prefix}{name}[].")
    return rows


def page(ctx: Context) -> str:
    return ctx.render("fields.md.j2", fields=fields(load_schema("study")))


def write(writer, ctx: Context) -> None:
    writer.write(PAGE, page(ctx))
