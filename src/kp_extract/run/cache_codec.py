"""JSON encoding of the cache's entries, shaped by the code, never by the data.

The per-page cache (cache.py) stores two kinds of value: a page's
pages.PageDigest and a page's contact rows (a list of tuples). `encode_page`
/ `decode_page` and `encode_contacts` / `decode_contacts` turn them into JSON
and back. What a JSON value becomes is decided here, by the declared type of
the field it fills (dataclass annotations, read once): a dataclass is an array
of its fields in declaration order and is rebuilt by calling that class, one of
the few this module knows (PageDigest, Mention, Partner, PartnershipMention,
Source); a `tuple` field is an array made a tuple again; a `dict` a JSON
object, keys in their order. No class, function or module is ever named by the
data, so a decoded entry can hold nothing but those dataclasses, lists, tuples,
dicts, strings, numbers, booleans and None.

Both directions check every value against its declared type: encoding a value
the round trip would change (a tuple where the annotation says list, a float in
an int field, a tuple inside an untyped dict) raises CodecError, so a page that
cannot be stored exactly is not stored (a later run recomputes it); decoding a
value of another shape raises CodecError too, and the cache treats the entry as
damaged. Python floats round-trip exactly through json (repr is the shortest
string that reads back as the same float); a float field may hold an int, which
stays an int.
"""
from __future__ import annotations

import dataclasses
import json
import types
import typing
from functools import lru_cache
from typing import Any, Callable

Encoder = Callable[[Any], Any]
Decoder = Callable[[Any], Any]


class CodecError(ValueError):
    """A value that does not have the shape its type declares."""


_SCALARS = (str, int, float, bool, type(None))


def _fail(what: str, value: Any) -> typing.NoReturn:
    raise CodecError(f"expected {what}, got {type(value).__name__}")


# ---------------------------------------------------------------- untyped parts

def _scalar(value: Any) -> Any:
    if type(value) not in _SCALARS:
        _fail("str, int, float, bool or None", value)
    return value


def _plain_encode(value: Any) -> Any:
    """A value of an untyped `dict` field: JSON's own types only (no tuple: json would make it a list)."""
    t = type(value)
    if t in _SCALARS:
        return value
    if t is list:
        return [_plain_encode(v) for v in value]
    if t is dict:
        for k in value:
            if type(k) is not str:
                _fail("str key", k)
        return {k: _plain_encode(v) for k, v in value.items()}
    _fail("a JSON value (str, number, bool, None, list, dict)", value)


_plain_decode = _plain_encode  # what json.loads gives is already of these types: check it all the same


def _scalar_tuple_encode(value: Any) -> list:
    """A bare `tuple` field (a block row, a contact row): scalars only."""
    if type(value) is not tuple:
        _fail("tuple", value)
    return [_scalar(v) for v in value]


def _scalar_tuple_decode(value: Any) -> tuple:
    if type(value) is not list:
        _fail("array", value)
    return tuple([_scalar(v) for v in value])


# ---------------------------------------------------------------- typed parts

def _exact(*allowed: type) -> tuple[Encoder, Decoder]:
    def check(value: Any) -> Any:
        if type(value) not in allowed:
            _fail(" or ".join(t.__name__ for t in allowed), value)
        return value
    return check, check


def _optional(inner: tuple[Encoder, Decoder]) -> tuple[Encoder, Decoder]:
    enc, dec = inner
    return (lambda v: None if v is None else enc(v)), (lambda v: None if v is None else dec(v))


def _list(inner: tuple[Encoder, Decoder]) -> tuple[Encoder, Decoder]:
    enc, dec = inner

    def encode(value: Any) -> list:
        if type(value) is not list:
            _fail("list", value)
        return [enc(v) for v in value]

    def decode(value: Any) -> list:
        if type(value) is not list:
            _fail("array", value)
        return [dec(v) for v in value]
    return encode, decode


def _tuple(items: list[tuple[Encoder, Decoder]] | None, rest: tuple[Encoder, Decoder] | None
           ) -> tuple[Encoder, Decoder]:
    """tuple[A, B] (items) or tuple[T, ...] (rest)."""
    def encode(value: Any) -> list:
        if type(value) is not tuple:
            _fail("tuple", value)
        if rest is not None:
            return [rest[0](v) for v in value]
        assert items is not None  # a tuple annotation is either tuple[T, ...] (rest) or tuple[A, B] (items)
        if len(value) != len(items):
            raise CodecError(f"expected a tuple of {len(items)}, got {len(value)}")
        return [c[0](v) for c, v in zip(items, value)]

    def decode(value: Any) -> tuple:
        if type(value) is not list:
            _fail("array", value)
        if rest is not None:
            return tuple([rest[1](v) for v in value])
        assert items is not None
        if len(value) != len(items):
            raise CodecError(f"expected an array of {len(items)}, got {len(value)}")
        return tuple([c[1](v) for c, v in zip(items, value)])
    return encode, decode


def _str_dict(inner: tuple[Encoder, Decoder]) -> tuple[Encoder, Decoder]:
    enc, dec = inner

    def encode(value: Any) -> dict:
        if type(value) is not dict:
            _fail("dict", value)
        out = {}
        for k, v in value.items():
            if type(k) is not str:
                _fail("str key", k)
            out[k] = enc(v)
        return out

    def decode(value: Any) -> dict:
        if type(value) is not dict:
            _fail("object", value)
        return {k: dec(v) for k, v in value.items()}
    return encode, decode


def _dataclass(cls: type, codecs: dict[type, tuple[Encoder, Decoder]]) -> tuple[Encoder, Decoder]:
    """cls as an array of its fields in declaration order, rebuilt by cls(*fields)."""
    fields = dataclasses.fields(cls)
    if any(not f.init for f in fields):
        raise TypeError(f"{cls.__name__}: every field must be an __init__ parameter")
    hints = typing.get_type_hints(cls)
    names = [f.name for f in fields]
    parts = [_codec(hints[f.name], codecs) for f in fields]
    encoders = [p[0] for p in parts]
    decoders = [p[1] for p in parts]
    n = len(fields)

    def encode(value: Any) -> list:
        if type(value) is not cls:
            _fail(cls.__name__, value)
        try:
            return [enc(getattr(value, name)) for enc, name in zip(encoders, names)]
        except CodecError as exc:  # say which field
            for enc, name in zip(encoders, names):
                try:
                    enc(getattr(value, name))
                except CodecError:
                    raise CodecError(f"{cls.__name__}.{name}: {exc}") from None
            raise

    def decode(value: Any) -> Any:
        if type(value) is not list or len(value) != n:
            raise CodecError(f"expected an array of the {n} fields of {cls.__name__}")
        return cls(*[dec(v) for dec, v in zip(decoders, value)])
    codecs[cls] = (encode, decode)
    return encode, decode


def _codec(tp: Any, codecs: dict[type, tuple[Encoder, Decoder]]) -> tuple[Encoder, Decoder]:
    """(encode, decode) for a declared type; TypeError for a type this module does not handle."""
    if tp in codecs:
        return codecs[tp]
    if tp is str:
        return _exact(str)
    if tp is int:
        return _exact(int)
    if tp is float:
        return _exact(float, int)
    if tp is bool:
        return _exact(bool)
    if tp is type(None):
        return _exact(type(None))
    if tp is tuple:
        return _scalar_tuple_encode, _scalar_tuple_decode
    if tp is dict:
        return _plain_encode, _plain_decode
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (types.UnionType, typing.Union):
        rest = [a for a in args if a is not type(None)]
        if len(rest) == 1 and len(args) == 2:
            return _optional(_codec(rest[0], codecs))
        if all(a in _SCALARS for a in args):
            allowed = tuple(args) + ((int,) if float in args and int not in args else ())
            return _exact(*allowed)
    elif origin is list and len(args) == 1:
        return _list(_codec(args[0], codecs))
    elif origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        return _tuple(None, _codec(args[0], codecs))
    elif origin is tuple and args and Ellipsis not in args:
        return _tuple([_codec(a, codecs) for a in args], None)
    elif origin is dict and len(args) == 2 and args[0] is str:
        return _str_dict(_codec(args[1], codecs))
    raise TypeError(f"the cache cannot store a field of type {tp!r}")


@lru_cache(maxsize=1)
def _page_codec() -> tuple[Encoder, Decoder]:
    from kp_extract.model import Mention, Partner, PartnershipMention, Source
    from kp_extract.run.pages import PageDigest

    codecs: dict[type, tuple[Encoder, Decoder]] = {}
    for cls in (Source, Partner, Mention, PartnershipMention):  # the classes a digest may hold
        _dataclass(cls, codecs)
    return _dataclass(PageDigest, codecs)


_contacts_codec = _list((_scalar_tuple_encode, _scalar_tuple_decode))


# ---------------------------------------------------------------- entry points

def _dumps(value: Any) -> bytes:
    # ensure_ascii=False keeps Swedish text short; surrogatepass keeps the lone surrogates a file name
    # read with surrogateescape may hold (json escapes control characters itself)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), check_circular=False
                      ).encode("utf-8", "surrogatepass")


def _loads(data: bytes) -> Any:
    try:
        return json.loads(data.decode("utf-8", "surrogatepass"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise CodecError(f"not JSON: {exc}") from None


def encode_page(digest: Any) -> bytes:
    """A pages.PageDigest as JSON bytes; CodecError if any value is not of its declared type."""
    return _dumps(_page_codec()[0](digest))


def decode_page(data: bytes) -> Any:
    """The pages.PageDigest encode_page wrote; CodecError for anything else."""
    return _page_codec()[1](_loads(data))


def encode_contacts(rows: Any) -> bytes:
    """A page's contact rows (a list of tuples of scalars) as JSON bytes."""
    return _dumps(_contacts_codec[0](rows))


def decode_contacts(data: bytes) -> list[tuple]:
    """The contact rows encode_contacts wrote; CodecError for anything else."""
    return _contacts_codec[1](_loads(data))
