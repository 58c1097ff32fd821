"""Values, conversions and the function library of afstand's XPath evaluator.

Values are XPath 1.0's, loosely: ``str``, ``float``, ``bool``, and a ``tuple`` for a node-set
(the answers to a question inside a repeat, seen from outside it). Conversions follow XPath:
a node-set converts through its first value; ``''`` is NaN as a number. Dates are strings
(``2024-05-01``) that convert to numbers as days since 1970-01-01, as in ODK's JavaRosa, so
``. >= today()`` and ``today() - ${birth}`` work.

Every function here is total: bad input gives NaN, ``''`` or ``false`` as XPath does, never an
exception, except :class:`EvaluationError` for a regular expression that is invalid or runs too
long (the third-party ``regex`` module stops it after :data:`REGEX_TIMEOUT` seconds).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import re._constants as _sre_constants
import re._parser as _sre
import uuid
from typing import Any, Callable

from afstand.errors import AfstandError

MAX_REGEX_SIZE = 10_000  # counted repeats multiplied out (a{100}{100} is 10,000): compiling expands them
REGEX_TIMEOUT = 0.05  # seconds for one regex() call: enough for any sane pattern on a 10,000-character answer
MAX_REGEX = 1000  # characters of a pattern
EPOCH = dt.date(1970, 1, 1)
_DATE = re.compile(r"(-?\d{4,})-(\d{2})-(\d{2})")
_DATETIME = re.compile(r"(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?")
_TIME = re.compile(r"(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?")
_NUMERIC = re.compile(r"\s*[+-]?(\d+(\.\d*)?|\.\d+)\s*")


class EvaluationError(AfstandError, ValueError):
    """An expression could not be evaluated (a regular expression that is invalid or too slow)."""


def first(value: Any) -> Any:
    if isinstance(value, tuple):
        return value[0] if value else ""
    return value


def string(value: Any) -> str:
    value = first(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, int):
        return str(value)
    return "" if value is None else str(value)


def number(value: Any) -> float:
    value = first(value)
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, (int, float)):
        return float(value)
    text = string(value).strip()
    if _NUMERIC.fullmatch(text):
        return float(text)
    days = _days(text)
    return float("nan") if days is None else days


def boolean(value: Any) -> bool:
    if isinstance(value, tuple):
        return len(value) > 0 and any(string(v) != "" for v in value)
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return value != 0 and not math.isnan(value)
    return string(value) != ""


def _days(text: str) -> float | None:
    """Days since 1970-01-01 of an ISO date or date-time (``None`` when it is neither)."""
    try:
        match = _DATE.fullmatch(text)
        if match:
            return float((dt.date(int(match[1]), int(match[2]), int(match[3])) - EPOCH).days)
        match = _DATETIME.fullmatch(text)
        if match:
            moment = parse_datetime(text)
            return None if moment is None else (moment - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)).total_seconds() / 86400
    except (ValueError, OverflowError):
        return None
    return None


def parse_datetime(text: str) -> dt.datetime | None:
    """An ISO date-time (seconds and zone optional; no zone means UTC) or ``None``."""
    match = _DATETIME.fullmatch(text.strip())
    if not match:
        return None
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    try:
        tz = _zone(zone)
        micro = int((fraction or "0")[:6].ljust(6, "0"))
        return dt.datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0), micro, tzinfo=tz)
    except (ValueError, OverflowError):
        return None


def parse_time(text: str) -> dt.time | None:
    match = _TIME.fullmatch(text.strip())
    if not match:
        return None
    hour, minute, second, fraction, zone = match.groups()
    try:
        micro = int((fraction or "0")[:6].ljust(6, "0"))
        return dt.time(int(hour), int(minute), int(second or 0), micro, tzinfo=_zone(zone) if zone else None)
    except (ValueError, OverflowError):
        return None


def parse_date(text: str) -> dt.date | None:
    match = _DATE.fullmatch(text.strip())
    if not match or len(match[1]) != 4:
        return None
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def _zone(zone: str | None) -> dt.timezone:
    if not zone or zone == "Z":
        return dt.UTC
    sign = -1 if zone[0] == "-" else 1
    digits = zone[1:].replace(":", "")
    return dt.timezone(sign * dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


def _date_of(value: Any) -> dt.date | None:
    value = first(value)
    if isinstance(value, str):
        parsed = parse_date(value[:10]) if len(value) >= 10 else None
        if parsed is not None:
            return parsed
    days = number(value)
    if math.isnan(days) or abs(days) > 2_900_000:  # beyond year 9999
        return None
    try:
        return EPOCH + dt.timedelta(days=math.floor(days))
    except OverflowError:
        return None


def _date(ctx, value) -> str:
    day = _date_of(value)
    return day.isoformat() if day else ""


def _format_date(ctx, value, pattern) -> str:
    day = _date_of(value)
    if day is None:
        return ""
    moment = parse_datetime(string(value)) if isinstance(first(value), str) else None
    fields = {
        "%Y": f"{day.year:04d}",
        "%y": f"{day.year % 100:02d}",
        "%m": f"{day.month:02d}",
        "%n": str(day.month),
        "%b": day.strftime("%b"),
        "%d": f"{day.day:02d}",
        "%e": str(day.day),
        "%a": day.strftime("%a"),
        "%H": f"{moment.hour:02d}" if moment else "00",
        "%h": str(moment.hour) if moment else "0",
        "%M": f"{moment.minute:02d}" if moment else "00",
        "%S": f"{moment.second:02d}" if moment else "00",
        "%3": f"{moment.microsecond // 1000:03d}" if moment else "000",
    }
    return re.sub(r"%[YymnbdeaHhMS3]", lambda m: fields[m.group(0)], string(pattern))


def _regex(ctx, value, pattern) -> bool:
    source = string(pattern)
    if len(source) > MAX_REGEX:
        raise EvaluationError(f"regex(): the pattern is longer than {MAX_REGEX} characters")
    try:
        compiled = _compile_regex(source)
        return compiled.search(string(value), timeout=REGEX_TIMEOUT) is not None
    except TimeoutError:
        raise EvaluationError(f"regex(): the pattern {source!r} took too long on this answer") from None


_PATTERNS: dict[str, Any] = {}


def _compile_regex(source: str):
    compiled = _PATTERNS.get(source)
    if compiled is None:
        if _expanded_size(source) > MAX_REGEX_SIZE:
            raise EvaluationError(f"regex(): {source!r} repeats too much (counted repeats multiply to more than {MAX_REGEX_SIZE:,})")
        import regex  # imported when a form first uses regex(): 7 ms that every command would pay

        try:
            compiled = regex.compile(source)
        except (regex.error, ValueError, OverflowError, RecursionError) as err:
            raise EvaluationError(f"regex(): {source!r} is not a valid regular expression ({err})") from None
        if len(_PATTERNS) < 1000:
            _PATTERNS[source] = compiled
    return compiled


def _expanded_size(source: str) -> float:
    """How large a pattern becomes when its counted repeats are expanded, as compiling does
    (``((a{1000}){1000}){1000}`` is 10^9 and would take the regex compiler minutes). Read with
    Python's own regex parser; a pattern it cannot read (``\\p{L}`` …) is bounded by the product of
    all its counts."""
    try:
        return _tree_size(_sre.parse(source).data)
    except Exception:  # noqa: BLE001 - re's parser refuses syntax the regex module has: bound it coarsely
        size = 1.0
        for low, high in re.findall(r"\{\s*(\d+)\s*(?:,\s*(\d*)\s*)?\}", source):
            size *= max(int(low), int(high) if high else 1, 1)
        return size * max(1, len(source))


def _tree_size(items) -> float:
    total = 0.0
    for op, value in items:
        name = str(op)
        if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, high, sub = value
            count = high if high != _sre_constants.MAXREPEAT else max(low, 1)
            total += max(count, 1) * _tree_size(sub)
        elif name == "SUBPATTERN":
            total += _tree_size(value[-1])
        elif name in ("ATOMIC_GROUP",):
            total += _tree_size(value)
        elif name == "BRANCH":
            total += sum(_tree_size(b) for b in value[1])
        elif name in ("ASSERT", "ASSERT_NOT"):
            total += _tree_size(value[1])
        elif name == "GROUPREF_EXISTS":
            total += _tree_size(value[1]) + (_tree_size(value[2]) if value[2] else 0)
        else:
            total += 1
        if total > 1e12:
            return total
    return total


def check_regex(source: str) -> None:
    """Compile a literal pattern when the expression is compiled (raises EvaluationError)."""
    if len(source) > MAX_REGEX:
        raise EvaluationError(f"regex(): the pattern is longer than {MAX_REGEX} characters")
    _compile_regex(source)


def _values(args) -> list[Any]:
    out: list[Any] = []
    for a in args:
        out.extend(a if isinstance(a, tuple) else (a,))
    return out


def _round(ctx, value, digits=0.0) -> float:
    x, d = number(value), number(digits)
    if math.isnan(x) or math.isinf(x) or math.isnan(d) or abs(d) > 15:
        return x if not math.isnan(d) else float("nan")
    scale = 10 ** int(d)
    scaled = x * scale + 0.5
    if math.isinf(scaled):  # too large to have decimals worth rounding
        return x
    return math.floor(scaled) / scale


def _pow(ctx, a, b) -> float:
    try:
        return math.pow(number(a), number(b))
    except OverflowError:
        return float("inf")
    except (ValueError, ZeroDivisionError):
        return float("nan")


def _safe(function: Callable[[float], float]) -> Callable:
    def run(ctx, value):
        try:
            return function(number(value))
        except OverflowError:
            return float("inf")
        except ValueError:
            return float("nan")

    return run


def _int(ctx, value) -> float:
    x = number(value)
    return x if math.isnan(x) or math.isinf(x) else float(math.trunc(x))


def _substr(ctx, value, start, end=None) -> str:
    text = string(value)
    begin = number(start)
    stop = number(end) if end is not None else float(len(text))
    if math.isnan(begin) or math.isnan(stop):
        return ""
    begin, stop = max(0, min(len(text), int(max(begin, -1e9)))), max(0, min(len(text), int(min(stop, 1e9))))
    return text[begin:stop]


def _selected_at(ctx, value, index) -> str:
    parts = string(value).split()
    i = number(index)
    return parts[int(i)] if not math.isnan(i) and 0 <= i < len(parts) else ""


def _translate(ctx, value, source, target) -> str:
    s, t = string(source), string(target)
    table = {ord(c): (t[i] if i < len(t) else None) for i, c in reversed(list(enumerate(s)))}
    return string(value).translate(table)


def _sum(ctx, *args) -> float:
    return math.fsum(number(v) for v in _values(args)) if args else 0.0


def _minmax(pick):
    def run(ctx, *args):
        numbers = [number(v) for v in _values(args)]
        if not numbers or any(math.isnan(n) for n in numbers):
            return float("nan")
        return pick(numbers)

    return run


def _indexed_repeat(ctx, value, repeat, index, *more) -> Any:
    values = value if isinstance(value, tuple) else (value,)
    i = number(index)
    return values[int(i) - 1] if not math.isnan(i) and 1 <= i <= len(values) else ""


#: name -> (minimum arguments, maximum arguments or None, implementation(ctx, *values))
FUNCTIONS: dict[str, tuple[int, int | None, Callable]] = {
    "selected": (2, 2, lambda ctx, v, c: string(c).strip() in string(v).split()),
    "count-selected": (1, 1, lambda ctx, v: float(len(string(v).split()))),
    "selected-at": (2, 2, _selected_at),
    "string-length": (0, 1, lambda ctx, *a: float(len(string(a[0] if a else ctx.current)))),
    "regex": (2, 2, _regex),
    "concat": (0, None, lambda ctx, *a: "".join(string(v) for v in _values(a))),
    "coalesce": (2, 2, lambda ctx, a, b: string(a) if string(a) != "" else string(b)),
    "contains": (2, 2, lambda ctx, a, b: string(b) in string(a)),
    "starts-with": (2, 2, lambda ctx, a, b: string(a).startswith(string(b))),
    "ends-with": (2, 2, lambda ctx, a, b: string(a).endswith(string(b))),
    "substr": (2, 3, _substr),
    "substring-before": (2, 2, lambda ctx, a, b: string(a).partition(string(b))[0] if string(b) in string(a) else ""),
    "substring-after": (2, 2, lambda ctx, a, b: string(a).partition(string(b))[2] if string(b) in string(a) else ""),
    "translate": (3, 3, _translate),
    "normalize-space": (0, 1, lambda ctx, *a: " ".join(string(a[0] if a else ctx.current).split())),
    "string": (0, 1, lambda ctx, *a: string(a[0] if a else ctx.current)),
    "number": (0, 1, lambda ctx, *a: number(a[0] if a else ctx.current)),
    "boolean": (1, 1, lambda ctx, v: boolean(v)),
    "boolean-from-string": (1, 1, lambda ctx, v: string(v) in ("true", "1")),
    "not": (1, 1, lambda ctx, v: not boolean(v)),
    "true": (0, 0, lambda ctx: True),
    "false": (0, 0, lambda ctx: False),
    "int": (1, 1, _int),
    "round": (1, 2, _round),
    "floor": (1, 1, _safe(lambda x: x if math.isnan(x) or math.isinf(x) else float(math.floor(x)))),
    "ceiling": (1, 1, _safe(lambda x: x if math.isnan(x) or math.isinf(x) else float(math.ceil(x)))),
    "abs": (1, 1, _safe(abs)),
    "pow": (2, 2, _pow),
    "sqrt": (1, 1, _safe(lambda x: math.sqrt(x) if x >= 0 else float("nan"))),
    "exp": (1, 1, _safe(math.exp)),
    "log": (1, 1, _safe(lambda x: math.log(x) if x > 0 else float("nan"))),
    "log10": (1, 1, _safe(lambda x: math.log10(x) if x > 0 else float("nan"))),
    "pi": (0, 0, lambda ctx: math.pi),
    "sum": (1, 1, _sum),
    "count": (1, 1, lambda ctx, v: float(len(v)) if isinstance(v, tuple) else 1.0),
    "count-non-empty": (1, 1, lambda ctx, v: float(sum(1 for x in _values((v,)) if string(x) != ""))),
    "min": (1, None, _minmax(min)),
    "max": (1, None, _minmax(max)),
    "join": (2, None, lambda ctx, sep, *a: string(sep).join(string(v) for v in _values(a))),
    "today": (0, 0, lambda ctx: ctx.today().isoformat()),
    "now": (0, 0, lambda ctx: ctx.now().isoformat(timespec="milliseconds")),
    "date": (1, 1, _date),
    "date-time": (1, 1, _date),
    "decimal-date-time": (1, 1, lambda ctx, v: number(v)),
    "decimal-date": (1, 1, lambda ctx, v: number(v)),
    "format-date": (2, 2, _format_date),
    "format-date-time": (2, 2, _format_date),
    "position": (0, 1, lambda ctx, *a: float(ctx.position())),
    "indexed-repeat": (3, None, _indexed_repeat),
    "jr:choice-name": (2, 2, lambda ctx, v, ref: ctx.choice_label(string(v), string(ref))),
    "once": (1, 1, lambda ctx, v: v),
    "uuid": (0, 1, lambda ctx, *a: str(uuid.uuid4())),
}
