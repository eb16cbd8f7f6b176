"""Layer 1: each file against its JSON Schema, with messages a contributor can act on."""

from __future__ import annotations

import difflib
import json
import re
from functools import cache
from pathlib import Path

from .loader import Document, _resolve, visible
from .problems import ERROR, Problem

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schema"

_KIND = {
    "integer": "a whole number",
    "number": "a number",
    "string": "text",
    "array": "a list",
    "object": "a set of `name: value` fields",
    "boolean": "true or false",
}


@cache
def load_schema(name: str) -> dict:
    """The schema file schema/<name>.schema.json, parsed."""
    return json.loads((SCHEMA_DIR / f"{name}.schema.json").read_text(encoding="utf-8"))


@cache
def whole_value(pattern: str) -> re.Pattern:
    """A schema pattern as this project means it: a final `$` is the end of the value (`\\Z`).

    JSON Schema patterns are ECMA-262 expressions, where `$` is the end of the text; in
    Python's `re` it also matches before a final line break, so `^[a-z]+$` would accept
    "abc\\n". Patterns stay portable in the schema files (editors read them too).
    """
    if pattern.endswith("$") and not pattern.endswith("\\$"):
        pattern = pattern[:-1] + r"\Z"
    return re.compile(pattern)


@cache
def _validator_class():
    """Draft 2020-12 as this project reads it (see `whole_value`, and below). jsonschema is imported here, when a
    document is validated, not by every command: a build whose documents are all in the cache validates none."""
    from jsonschema import Draft202012Validator, ValidationError, validators

    def pattern(validator, pattern, instance, schema):
        if validator.is_type(instance, "string") and not whole_value(pattern).search(instance):
            yield ValidationError(f"{instance!r} does not match {pattern!r}")

    # JSON Schema counts 2022.0 as an integer; the loader reads `2022.0` as a float, which is not a year.
    types = Draft202012Validator.TYPE_CHECKER.redefine(
        "integer", lambda checker, value: isinstance(value, int) and not isinstance(value, bool)
    )
    return validators.extend(Draft202012Validator, {"pattern": pattern}, type_checker=types)


@cache
def _validator(name: str):
    return _validator_class()(load_schema(name))


@cache
def field_validator(schema_name: str, field: str):
    """The rules of one top-level field, for commands that make values (import, new)."""
    return _validator_class()(load_schema(schema_name)["properties"][field])


# What a quoted value would be without its quotes: `year: "2022"` is text, `year: 2022` a whole number.
_UNQUOTED = {"integer": (int,), "number": (int, float), "boolean": (bool,)}


def field_name(path) -> str:
    """A dotted name for a path into the data: authors[1].family."""
    text = ""
    for part in path:
        text += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "the file"


def shown(value: object) -> str:
    """A value as a contributor would recognise it in a message."""
    if value is None:
        return "an empty value"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a set of fields"
    text = visible(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return text if isinstance(value, (int, float)) else f"'{text}'"


def _example(schema: dict) -> str:
    examples = schema.get("examples")
    if not examples or isinstance(examples[0], (list, dict, bool)) or len(str(examples[0])) > 30:
        return ""
    return f" such as {examples[0]}"


def _message(error) -> tuple[object, str] | None:
    """The place (a path) and the message for one schema error."""
    kind = error.validator
    path = tuple(error.absolute_path)
    name = f"`{field_name(path)}`"
    schema = error.schema if isinstance(error.schema, dict) else {}
    value = error.instance
    hint = schema.get("x-hint")
    if kind == "type":
        expected = error.validator_value
        expected = expected if isinstance(expected, str) else expected[0]
        if "enum" in schema and not isinstance(value, (list, dict)):
            return None  # the list of allowed values says it all; quotes would not help
        if expected == "string" and isinstance(value, (int, float)) and not isinstance(value, bool):
            return path, f'{name} must be text; put it in quotes, such as "{value}"; got {shown(value)}'
        if isinstance(value, str) and type(_resolve(value, True)) in _UNQUOTED.get(expected, ()):
            return (
                path,
                f"{name} must be {_KIND[expected]}{_example(schema)}, written without quotes; got {shown(value)}",
            )
        return path, f"{name} must be {_KIND.get(expected, expected)}{_example(schema)}; got {shown(value)}"
    if kind == "not" and isinstance(error.validator_value, dict) and "enum" in error.validator_value:
        return path, (
            f"{name} {shown(value)} is a name the site uses for its own pages or that some systems reserve "
            "for devices; choose another"
        )
    if kind in ("pattern", "oneOf", "const", "format"):
        return path, f"{name} must be {hint or 'in the documented form'}; got {shown(value)}"
    if kind == "enum":
        choices = ", ".join(str(v) for v in error.validator_value)
        return path, f"{name} must be one of: {choices}; got {shown(value)}"
    if kind in ("minimum", "maximum"):
        low, high = schema.get("minimum"), schema.get("maximum")
        if low is not None and high is not None:
            return path, f"{name} must be between {low} and {high}; got {shown(value)}"
        bound = "at least" if kind == "minimum" else "at most"
        return path, f"{name} must be {bound} {error.validator_value}; got {shown(value)}"
    if kind == "minLength":
        return path, f"{name} must not be empty"
    if kind == "maxLength":
        return path, f"{name} is too long ({len(value):,} characters; at most {error.validator_value:,})"
    if kind == "minItems":
        return path, f"{name} must list at least {error.validator_value} item{'s' * (error.validator_value != 1)}"
    if kind == "maxItems":
        return path, f"{name} lists too many items (at most {error.validator_value})"
    if kind == "uniqueItems":
        return path, f"{name} lists the same value more than once"
    if kind == "dependentRequired" and isinstance(value, dict):  # in this project: a translation and its text
        pairs = [(k, d) for k, deps in error.validator_value.items() if k in value for d in deps if d not in value]
        return path + (pairs[0][0],), "; ".join(
            f"`{key}` translates `{text}`, which is missing; add `{text}` or remove `{key}`" for key, text in pairs
        )
    return path, f"{name}: {error.message}"


def schema_problems(doc: Document, schema_name: str) -> list[Problem]:
    """Every schema problem of one document, each at the line of the value concerned."""
    problems: list[Problem] = []
    for error in _validator(schema_name).iter_errors(doc.data):
        path = tuple(error.absolute_path)
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            allowed = sorted(error.schema.get("properties", {}))
            for key in error.instance:
                if key in allowed:
                    continue
                close = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
                advice = (
                    f"did you mean `{close[0]}`?"
                    if close
                    else f"see schema/{schema_name}.schema.json for the allowed fields"
                )
                line, column = doc.where_key(path + (key,))
                problems.append(Problem(doc.path, line, column, ERROR, f"unknown field `{visible(key)}`; {advice}"))
            continue
        if error.validator == "required" and isinstance(error.instance, dict):
            line, column = doc.where(path)
            for key in error.validator_value:
                if key not in error.instance:
                    what = error.schema.get("properties", {}).get(key, {}).get("description", "")
                    where = "" if not path else f" in `{field_name(path)}`"
                    message = f"missing required field `{key}`{where}"
                    problems.append(Problem(doc.path, line, column, ERROR, f"{message}: {what}" if what else message))
            continue
        found = _message(error)
        if found:
            where, message = found
            line, column = doc.where(where)
            problems.append(Problem(doc.path, line, column, ERROR, message))
    return sorted(set(problems))
