"""JSON text, rendered one record at a time, byte for byte as json.dumps renders it.

* `record_json(record)`: one element of a ``json.dumps(records, ensure_ascii=False, indent=1,
  allow_nan=False)`` array, as it appears inside the array, so that projects.json can be written
  record by record (the JSON exporter, outputs/exporters.py) instead of rendered whole with the
  pure-Python indent encoder; the record shapes (flat dicts of strings, numbers and None, lists of
  strings or numbers, lists of small flat dicts such as sources) take fast paths of few C calls,
  anything else a general path;
* `json_line(obj)`: ``json.dumps(obj, ensure_ascii=False, allow_nan=False)``, one JSON Lines line,
  with one prebuilt C encoder.

tests/perf/test_export_speed.py checks both against json.dumps on generated values.
"""
from __future__ import annotations

import json
from json.encoder import c_make_encoder, encode_basestring  # type: ignore[attr-defined]  # C speedup, no stub
from typing import Any

__all__ = ["record_json", "json_line"]


def _scalar(o) -> str:
    if isinstance(o, str):
        return encode_basestring(o)
    if o is None:
        return "null"
    if o is True:
        return "true"
    if o is False:
        return "false"
    if isinstance(o, int):
        return int.__repr__(o)
    if isinstance(o, float):
        if o != o or o in (float("inf"), float("-inf")):
            raise ValueError("Out of range float values are not JSON compliant")
        return float.__repr__(o)
    raise TypeError(type(o).__name__)


def _indented(o, level: int) -> str:
    """json.dumps(o, ensure_ascii=False, indent=1) as if nested at `level`."""
    if isinstance(o, dict):
        if not o:
            return "{}"
        inner = "\n" + " " * (level + 1)
        parts = []
        for k, v in o.items():
            if not isinstance(k, str):
                raise TypeError("non-str key")
            parts.append(encode_basestring(k) + ": " + _indented(v, level + 1))
        return "{" + inner + ("," + inner).join(parts) + "\n" + " " * level + "}"
    if isinstance(o, (list, tuple)):
        if not o:
            return "[]"
        inner = "\n" + " " * (level + 1)
        return "[" + inner + ("," + inner).join(_indented(v, level + 1) for v in o) + "\n" + " " * level + "]"
    return _scalar(o)


# The fast renderer below. Records are flat dicts of strings, numbers and None, lists of strings
# or numbers, and lists of small flat dicts (sources): each shape is rendered in few C calls
# (encode_basestring over a whole list, the C encoder for a list of flat dicts); anything else
# goes to _indented, the general path. Exact types only (type(x) is str, not isinstance): a
# subclass may render differently, so it takes the general path. tests/perf/test_export_speed.py
# checks every path against json.dumps(indent=1) on generated values.
_SCALAR_TYPES = frozenset((str, int, float, bool, type(None)))
_NL = tuple("\n" + " " * n for n in range(16))  # newline + indent of nesting level n
_SEP = tuple(",\n" + " " * n for n in range(16))  # item separator at level n
_KEY_PREFIXES: dict[str, str] = {}  # '"key": ' per key seen (record keys: a few dozen)
_KEY_PREFIX_LIMIT = 4096  # unusual records with ever new keys do not grow the table without end
_FLAT_ENCODERS: dict[int, object] = {}
_RECORD_PREFIXES: dict[tuple, tuple[str, ...]] = {}  # a record's keys -> their '"key": ' prefixes
_ONLY_STR = frozenset((str,)).issuperset


def _key_prefix(key) -> str:
    """'"key": ' for a str key; TypeError for any other key (json.dumps converts some, so the
    whole record then takes json.dumps' own path)."""
    if type(key) is not str:  # before the table: only a str is looked up in it
        raise TypeError("non-str key")
    prefix = _KEY_PREFIXES.get(key)
    if prefix is None:
        prefix = encode_basestring(key) + ": "
        if len(_KEY_PREFIXES) < _KEY_PREFIX_LIMIT:
            _KEY_PREFIXES[key] = prefix
    return prefix


def _flat_encoder(level: int):
    """The C encoder (json's own, as json.dumps uses it without indent) whose item separator is
    that of nesting level `level`; None where json has no C encoder. No circular check: it only
    ever gets lists of flat dicts of scalars, which cannot hold a cycle."""
    enc = _FLAT_ENCODERS.get(level)
    if enc is None and c_make_encoder is not None:
        enc = _FLAT_ENCODERS[level] = c_make_encoder(None, None, encode_basestring, None, ": ", _SEP[level],
                                                     False, False, False)
    return enc


def _is_flat_dict_list(items) -> bool:
    """Every item a non-empty dict (exact type) whose values are all scalars (exact types)."""
    scalars = _SCALAR_TYPES.issuperset
    return all(type(d) is dict and d and scalars(map(type, d.values())) for d in items)


def _fast_list(items, level: int) -> str:
    """A non-empty list or tuple nested at level (< len(_NL) - 2), as json.dumps(indent=1) renders it."""
    inner = level + 1
    first = type(items[0])
    if first is str:
        try:  # a list of strings, the common case: one C call
            return "[" + _NL[inner] + _SEP[inner].join(map(encode_basestring, items)) + _NL[level] + "]"
        except TypeError:  # some later item is not a str
            pass
    elif first is dict:
        flat = _flat_encoder(inner + 1)
        if flat is not None and _is_flat_dict_list(items):
            # The C encoder writes '[{"a": 1,<SEP>"b": 2},<SEP>{...}]' with one separator for both
            # levels; re-indent the joints between dicts. "},<SEP>{" only occurs there: a value
            # is a scalar (never ends in "}"), a key is a string, and a newline inside a string is
            # escaped, so the separator's newline is never part of a value.
            text = "".join(flat(items, 0))
            body = text[2:-2].replace("}" + _SEP[inner + 1] + "{",
                                      _NL[inner] + "}" + _SEP[inner] + "{" + _NL[inner + 1])
            return "[" + _NL[inner] + "{" + _NL[inner + 1] + body + _NL[inner] + "}" + _NL[level] + "]"
    elif first in _SCALAR_TYPES and _SCALAR_TYPES.issuperset(map(type, items)):
        flat = _flat_encoder(inner)
        if flat is not None:  # scalars: the C encoder with this level's separator, brackets re-indented
            return "[" + _NL[inner] + "".join(flat(items, 0))[1:-1] + _NL[level] + "]"
    return "[" + _NL[inner] + _SEP[inner].join([_fast(v, inner) for v in items]) + _NL[level] + "]"


def _fast_record(record) -> str:
    """_fast(record, 1): the top level of a record inline (it is the bulk of the calls), its key
    prefixes looked up once per key tuple (every record of a file has the same keys)."""
    if type(record) is not dict or not record:
        return _fast(record, 1)
    keys = tuple(record)
    prefixes = _RECORD_PREFIXES.get(keys)
    if prefixes is None or not _ONLY_STR(map(type, keys)):  # exact strs: equal keys, same text
        prefixes = tuple(map(_key_prefix, keys))
        if len(_RECORD_PREFIXES) < _KEY_PREFIX_LIMIT:
            _RECORD_PREFIXES[keys] = prefixes
    parts: list[str] = []
    add = parts.append
    for prefix, v in zip(prefixes, record.values()):
        t = type(v)
        if t is str:
            add(prefix + encode_basestring(v))
        elif t is list:
            add(prefix + (_fast_list(v, 2) if v else "[]"))
        elif v is None:
            add(prefix + "null")
        else:
            add(prefix + _fast(v, 2))
    return "{" + _NL[2] + _SEP[2].join(parts) + _NL[1] + "}"


def _fast(o, level: int) -> str:
    """_indented(o, level), with the record shapes (see above) on fast paths."""
    t = type(o)
    if t is str:
        return encode_basestring(o)
    if o is None:
        return "null"
    if t is list or t is tuple:
        if not o:
            return "[]"
        if level < len(_NL) - 2:
            return _fast_list(o, level)
    elif t is int:
        return int.__repr__(o)
    elif t is dict and level < len(_NL) - 1:
        if not o:
            return "{}"
        inner = level + 1
        return ("{" + _NL[inner] + _SEP[inner].join([_key_prefix(k) + _fast(v, inner) for k, v in o.items()])
                + _NL[level] + "}")
    return _indented(o, level)


def record_json(record: dict) -> str:
    """One element of a json.dumps(indent=1) array, as it appears inside the array."""
    try:
        return _fast_record(record)
    except TypeError:  # anything unusual: let json do it, then indent it one level
        return json.dumps(record, ensure_ascii=False, indent=1, allow_nan=False).replace("\n", "\n ")


# json.dumps(obj, ensure_ascii=False, allow_nan=False) is JSONEncoder(ensure_ascii=False,
# allow_nan=False).encode(obj), which builds json's C encoder anew for every call (with a fresh
# dict of the containers being encoded, for its circular check). json_line builds it once: the
# dict is empty again after every call that returns (the encoder takes out what it put in), and
# is emptied after one that raises, so each call starts as a fresh encoder would. One thread at a
# time (the export runs in the main thread).
_LINE_ENCODER = json.JSONEncoder(ensure_ascii=False, allow_nan=False)
_LINE_MARKERS: dict = {}
_c_line = (c_make_encoder(_LINE_MARKERS, _LINE_ENCODER.default, json.encoder.encode_basestring,
                                       None, _LINE_ENCODER.key_separator, _LINE_ENCODER.item_separator,
                                       False, False, False)
           if c_make_encoder is not None else None)


def json_line(obj: Any) -> str:
    """json.dumps(obj, ensure_ascii=False, allow_nan=False)."""
    if _c_line is None:
        return _LINE_ENCODER.encode(obj)
    try:
        return "".join(_c_line(obj, 0))
    except BaseException:
        _LINE_MARKERS.clear()
        raise
