"""pyxform's tree of a form before the model is built: loops expanded into groups, the key of
every question and group (the name when unique, else the full path), and the survey columns whose
text afstand parses (``required``, ``missing``)."""

from __future__ import annotations

from typing import Any


def _expand_loops(children: list[dict]) -> list[dict]:
    """``begin loop over LIST``: one group per choice of LIST, the children copied into each, with
    ``%(label)s`` in their labels replaced by the choice's label (as pyxform does)."""
    out = []
    for child in children:
        if child.get("type") == "loop":
            groups = []
            for column in child.get("columns", []):
                copies = [_with_loop_label(c, column.get("label")) for c in _expand_loops(child.get("children", []))]
                groups.append({"type": "group", "name": column.get("name"), "label": column.get("label"), "children": copies})
            out.append(
                {
                    "type": "group",
                    "name": child.get("name"),
                    "label": child.get("label"),
                    "children": groups,
                    **({"bind": child["bind"]} if "bind" in child else {}),
                }
            )
        elif child.get("type") in ("group", "repeat"):
            out.append({**child, "children": _expand_loops(child.get("children", []))})
        else:
            out.append(child)
    return out


def _with_loop_label(child: dict, column_label: Any) -> dict:
    def fill(value: Any, language: str | None) -> Any:
        if isinstance(value, dict):
            return {k: fill(v, k) for k, v in value.items()}
        if not isinstance(value, str):
            return value
        text = (
            column_label.get(language, next(iter(column_label.values()), "")) if isinstance(column_label, dict) else str(column_label or "")
        )
        return value.replace("%(label)s", str(text))

    copy = dict(child)
    if "label" in copy:
        copy["label"] = fill(copy["label"], None)
    if copy.get("type") in ("group", "repeat"):
        copy["children"] = [_with_loop_label(c, column_label) for c in copy.get("children", [])]
    return copy


def _keys(children: list[dict]) -> tuple[dict[str, str], dict[str, str]]:
    """Key of every question/note and every group by its path: the name when it is unique in the
    form, else the full path (Kobo's column name), so same-named questions in different groups stay apart."""
    questions: dict[str, list[str]] = {}
    groups: dict[str, list[str]] = {}

    def collect(children: list[dict], prefix: str) -> None:
        for child in children:
            name = str(child.get("name", ""))
            path = f"{prefix}/{name}" if prefix else name
            if child.get("type") in ("group", "repeat"):
                groups.setdefault(name, []).append(path)
                collect(child.get("children", []), path)
            else:
                questions.setdefault(name, []).append(path)

    collect(children, "")
    return (
        {p: (n if len(ps) == 1 else p) for n, ps in questions.items() for p in ps},
        {p: (n if len(ps) == 1 else p) for n, ps in groups.items() for p in ps},
    )


REQUIRED_YES = ("yes", "true", "true()", "1")
REQUIRED_NO = ("", "no", "false", "false()", "0")


def required_condition(value: Any) -> str | None:
    """``required`` that is a condition rather than yes/no (kept in the model and its version)."""
    text = str(value if value is not None else "").strip()
    return None if text.lower() in REQUIRED_YES + REQUIRED_NO else text


def missing_codes(value: Any) -> tuple[str, ...]:
    """The ``missing`` column: codes separated by spaces or commas (``999 9999``)."""
    text = str(value).strip() if value is not None else ""
    return tuple(dict.fromkeys(part for part in text.replace(",", " ").split() if part))
