"""Field masks: ``a/b,c.d``, ``x(y,z)`` and ``*``, for response filtering (``fields=``)
and for the ``fields`` of update requests."""

from __future__ import annotations

import copy
from typing import Any

MaskTree = dict[str, "MaskTree | None"]  # None = the whole field


class MaskError(ValueError):
    pass


def parse_mask(text: str) -> MaskTree:
    """Parse a field mask into a tree of names; a None leaf selects the whole field."""
    tree: MaskTree = {}
    pos = _parse_list(text.replace(" ", ""), 0, tree)
    if pos != len(text.replace(" ", "")):
        raise MaskError(text)
    return tree


def _merge(tree: MaskTree, path: list[str], sub: MaskTree | None) -> None:
    node = tree
    for name in path[:-1]:
        child = node.get(name, {})
        if child is None:  # already whole
            return
        node[name] = child
        node = child
    last = path[-1]
    if sub is None or node.get(last, {}) is None:
        node[last] = None
        return
    existing = node.get(last)
    if existing is None:
        node[last] = sub
    else:
        for key, val in sub.items():
            _merge(existing, [key], val)


def _parse_list(text: str, pos: int, tree: MaskTree) -> int:
    while pos < len(text):
        start = pos
        while pos < len(text) and text[pos] not in ",()":
            pos += 1
        path = [p for p in text[start:pos].replace("/", ".").split(".") if p]
        if not path:
            raise MaskError(text)
        if pos < len(text) and text[pos] == "(":
            sub: MaskTree = {}
            pos = _parse_list(text, pos + 1, sub)
            if pos >= len(text) or text[pos] != ")":
                raise MaskError(text)
            pos += 1
            _merge(tree, path, sub)
        else:
            _merge(tree, path, None)
        if pos < len(text) and text[pos] == ",":
            pos += 1
            continue
        break
    return pos


def filter_fields(obj: Any, tree: MaskTree | None) -> Any:
    """Keep only the fields selected by the mask (lists are traversed transparently)."""
    if tree is None or "*" in tree:
        return obj
    if isinstance(obj, list):
        return [filter_fields(item, tree) for item in obj]
    if not isinstance(obj, dict):
        return obj
    out: dict[str, Any] = {}
    for key, sub in tree.items():
        if key in obj:
            out[key] = filter_fields(obj[key], sub)
    return out


def apply_mask(target: dict[str, Any], source: dict[str, Any], tree: MaskTree) -> None:
    """Copy the masked fields from source into target; a masked field absent from the
    source is cleared in the target (Google's update semantics)."""
    if "*" in tree:
        target.clear()
        target.update(copy.deepcopy({k: v for k, v in source.items() if v is not None}))
        return
    for key, sub in tree.items():
        value = source.get(key)
        if sub is None:
            if value is None:
                target.pop(key, None)
            else:
                target[key] = copy.deepcopy(value)
            continue
        child = target.get(key)
        if not isinstance(child, dict):
            child = {}
        apply_mask(child, value if isinstance(value, dict) else {}, sub)
        if child:
            target[key] = child
        else:
            target.pop(key, None)


def mask_paths(tree: MaskTree, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """All leaf paths of a mask."""
    out: list[tuple[str, ...]] = []
    for key, sub in tree.items():
        if sub is None:
            out.append((*prefix, key))
        else:
            out.extend(mask_paths(sub, (*prefix, key)))
    return out


def pair_colors(tree: MaskTree) -> MaskTree:
    """Add the other half of each ``xColor`` / ``xColorStyle`` pair to a mask: Google keeps
    both in sync, so updating one updates (or clears) the other."""
    out: MaskTree = {}
    for key, sub in tree.items():
        out[key] = pair_colors(sub) if sub is not None else None
    for key, sub in list(out.items()):
        if key.endswith("olorStyle"):
            out.setdefault(key[: -len("Style")], sub)
        elif (key == "color" or key.endswith("Color")) and key not in ("rgbColor", "themeColor"):
            out.setdefault(key + "Style", sub)
    return out
