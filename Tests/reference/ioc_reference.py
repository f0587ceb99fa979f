#!/usr/bin/env python3
"""Independent reference implementation of ioc-stream (SPEC.md v1, sections 2-7).

Written from the specification alone (Python 3.11, stdlib only) so that the
Swift `ioc run` can be tested differentially against it.  It reads NDJSON
files in order and prints every final `ioc.snapshot/1`, one compact JSON line
per closed window.  Decisions on points the spec leaves open are listed in
README.md beside this file; comments quote the spec ("SPEC §n: ...").

    python3 ioc_reference.py [--window 60s] [--lateness 30s] [--now RFC3339]
        [--max-future 5m] [--dead-letter PATH] [--alerts PATH] FILE...
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import sys
import time
import unicodedata
from dataclasses import dataclass, field

sys.set_int_max_str_digits(0)  # huge JSON integers are values, not parse errors

NS = 1_000_000_000
MINUTE = 60 * NS
HOUR = 60 * MINUTE
MAX_SAFE_INT = 2 ** 53
RAW_LIMIT = 4096          # SPEC §7: "raw truncated to 4 KiB"
SENSOR_TTL = 5 * MINUTE   # SPEC §5: "sensor_ttl (rules, default 5m)"
ACTIVE_LIMIT = 50         # SPEC §6: "active lists the 50 most urgent"
ROLLING = (("15m", 15 * MINUTE), ("60m", 60 * MINUTE))

# ---------------------------------------------------------------------------
# Default rules (SPEC §3)
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Category:
    code: str
    agency: str
    priority: str
    sla_ns: int
    phrases: tuple[str, ...]


# SPEC §3 table, in table order ("ties go to the earlier category").
CATEGORIES: tuple[Category, ...] = (
    Category("fire", "fire", "P1", 1 * HOUR,
             ("cháy", "hỏa hoạn", "bốc khói", "khói", "fire", "smoke", "burning")),
    Category("flooding", "drainage", "P2", 24 * HOUR,
             ("ngập", "ngập úng", "tắc cống", "thoát nước",
              "flood", "flooding", "sewer", "clogged drain")),
    Category("public_order", "police", "P2", 24 * HOUR,
             ("trộm", "cướp", "đánh nhau", "gây rối", "tiếng ồn",
              "theft", "robbery", "fight", "noise")),
    Category("traffic", "transport", "P2", 24 * HOUR,
             ("tai nạn", "ùn tắc", "kẹt xe", "accident", "traffic jam", "congestion")),
    Category("roads", "transport", "P3", 72 * HOUR,
             ("ổ gà", "hư hỏng đường", "sụt lún", "nứt đường",
              "pothole", "road damage", "sinkhole")),
    Category("lighting", "lighting", "P3", 48 * HOUR,
             ("đèn đường", "đèn chiếu sáng", "streetlight", "street light", "light out")),
    Category("sanitation", "environment", "P3", 48 * HOUR,
             ("rác", "rác thải", "xả thải", "mùi hôi", "garbage", "trash", "litter", "dumping")),
    Category("trees", "environment", "P3", 48 * HOUR,
             ("cây đổ", "cành cây", "cây xanh", "fallen tree", "tree")),
    Category("construction", "construction", "P4", 120 * HOUR,
             ("lấn chiếm", "vỉa hè", "xây dựng trái phép",
              "encroachment", "illegal construction")),
    Category("other", "ward", "P4", 120 * HOUR, ()),
)
CATEGORY_BY_CODE = {c.code: c for c in CATEGORIES}
OTHER = CATEGORY_BY_CODE["other"]

# SPEC §3: "Route: fire/smoke -> fire; intrusion, weapon, fight, crowd,
# loitering -> police; camera_offline, tamper -> tech; ids_alert,
# ids_anomaly -> infosec; anything else -> ops."
SECURITY_ROUTES = {
    "fire": "fire", "smoke": "fire",
    "intrusion": "police", "weapon": "police", "fight": "police",
    "crowd": "police", "loitering": "police",
    "camera_offline": "tech", "tamper": "tech",
    "ids_alert": "infosec", "ids_anomaly": "infosec",
}
P1_TYPES = {"fire", "smoke", "weapon"}
LEVELS = ("free", "moderate", "heavy", "jam")
PRIORITIES = ("P1", "P2", "P3", "P4")
KINDS = ("field_report", "traffic", "security", "service", "metric")

# ---------------------------------------------------------------------------
# Time: RFC 3339 timestamps as integer nanoseconds since the Unix epoch
# ---------------------------------------------------------------------------

RFC3339 = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt]([0-9]{2}):([0-9]{2}):([0-9]{2})"
    r"(?:\.([0-9]{1,9}))?([Zz]|[+-][0-9]{2}:[0-9]{2})")


def is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def days_in_month(year: int, month: int) -> int:
    if month == 2:
        return 29 if is_leap(year) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def days_from_civil(y: int, m: int, d: int) -> int:
    """Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant)."""
    y -= m <= 2
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def civil_from_days(z: int) -> tuple[int, int, int]:
    z += 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    y = yoe + era * 400
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + (3 if mp < 10 else -9)
    return y + (m <= 2), m, d


def parse_rfc3339(text: str) -> int | None:
    """SPEC §2: "RFC 3339 with Z or a numeric offset (+07:00), optional
    fraction up to nanoseconds".  Returns epoch nanoseconds or None.
    Calendar-checked; second 60 and hour 24 are rejected."""
    m = RFC3339.fullmatch(text)
    if m is None:
        return None
    year, month, day, hour, minute, second = (int(g) for g in m.groups()[:6])
    fraction, offset = m.group(7), m.group(8)
    if not (1 <= month <= 12 and 1 <= day <= days_in_month(year, month)):
        return None
    if hour > 23 or minute > 59 or second > 59:
        return None
    offset_ns = 0
    if offset not in ("Z", "z"):
        oh, om = int(offset[1:3]), int(offset[4:6])
        if oh > 23 or om > 59:
            return None
        offset_ns = (oh * 60 + om) * MINUTE * (1 if offset[0] == "+" else -1)
    nanos = int((fraction or "").ljust(9, "0"))
    seconds = days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second
    return seconds * NS + nanos - offset_ns


def format_rfc3339(ns: int) -> str:
    """Output timestamps: UTC `YYYY-MM-DDTHH:MM:SSZ`, with a fraction only if
    non-zero, written with the fewest of 3, 6 or 9 digits that are exact."""
    seconds, nanos = divmod(ns, NS)
    days, sod = divmod(seconds, 86400)
    y, mo, d = civil_from_days(days)
    text = f"{y:04d}-{mo:02d}-{d:02d}T{sod // 3600:02d}:{sod // 60 % 60:02d}:{sod % 60:02d}"
    if nanos:
        digits = f"{nanos:09d}"
        for width in (3, 6, 9):
            if digits[width:].strip("0") == "":
                text += "." + digits[:width]
                break
    return text + "Z"


DURATION = re.compile(r"([0-9]+)(ms|s|m|h)")
DURATION_UNITS = {"ms": NS // 1000, "s": NS, "m": MINUTE, "h": HOUR}


def parse_duration(text: str) -> int:
    """SPEC §4: "Durations are written 500ms, 30s, 5m, 1h"."""
    m = DURATION.fullmatch(text)
    if m is None:
        raise argparse.ArgumentTypeError(f"invalid duration: {text!r}")
    return int(m.group(1)) * DURATION_UNITS[m.group(2)]


def parse_now(text: str) -> int:
    ns = parse_rfc3339(text)
    if ns is None:
        raise argparse.ArgumentTypeError(f"invalid RFC 3339 time: {text!r}")
    return ns

# ---------------------------------------------------------------------------
# Classification (SPEC §3)
# ---------------------------------------------------------------------------

def is_word_char(ch: str) -> bool:
    """A letter or digit; combining marks stay part of their word."""
    return ch.isalnum() or unicodedata.category(ch).startswith("M")


def words(text: str) -> list[str]:
    """SPEC §3: "lower-case the text, split it into words at every character
    that is not a letter or digit"."""
    text = unicodedata.normalize("NFC", text).lower()
    out, current = [], []
    for ch in text:
        if is_word_char(ch):
            current.append(ch)
        elif current:
            out.append("".join(current))
            current = []
    if current:
        out.append("".join(current))
    return out


def has_diacritics(text: str) -> bool:
    """Vietnamese diacritics: after NFD, any combining mark, or đ/Đ."""
    for ch in unicodedata.normalize("NFD", text):
        if ch in "đĐ" or unicodedata.category(ch).startswith("M"):
            return True
    return False


def fold(text: str) -> str:
    """SPEC §3: "remove diacritics and map đ/Đ to d"."""
    decomposed = unicodedata.normalize("NFD", text)
    kept = "".join(ch for ch in decomposed if not unicodedata.category(ch).startswith("M"))
    return kept.replace("đ", "d").replace("Đ", "D")


def contains_run(haystack: list[str], needle: list[str]) -> bool:
    """"look for each phrase as a run of whole words"."""
    n = len(needle)
    if n == 0:
        return False
    return any(haystack[i:i + n] == needle for i in range(len(haystack) - n + 1))


def classify_text(text: str) -> Category:
    """SPEC §3: "The category with the most distinct matching phrases wins;
    ties go to the earlier category; no match gives other"."""
    folding = not has_diacritics(text)
    text_words = words(fold(text) if folding else text)
    best, best_count = OTHER, 0
    for category in CATEGORIES:
        count = 0
        for phrase in set(category.phrases):
            phrase_words = words(fold(phrase) if folding else phrase)
            if contains_run(text_words, phrase_words):
                count += 1
        if count > best_count:
            best, best_count = category, count
    return best


def report_category(category_code: str | None, text: str | None) -> Category:
    """"A category member naming a known category wins"; an unknown code is
    ignored and the text is classified."""
    if category_code is not None and category_code in CATEGORY_BY_CODE:
        return CATEGORY_BY_CODE[category_code]
    return classify_text(text or "")


def security_priority(type_: str, severity: int) -> str:
    """SPEC §3: "P1 if severity >= 4 or type is fire, smoke or weapon; else P2
    for severity 3, P3 for 2, P4 for 1"."""
    if severity >= 4 or type_ in P1_TYPES:
        return "P1"
    return {3: "P2", 2: "P3"}.get(severity, "P4")


def security_route(type_: str) -> str:
    return SECURITY_ROUTES.get(type_, "ops")


def traffic_level(speed: float) -> str:
    """SPEC §3: "free >= 40 km/h, moderate >= 25, heavy >= 10, else jam"."""
    if speed >= 40:
        return "free"
    if speed >= 25:
        return "moderate"
    if speed >= 10:
        return "heavy"
    return "jam"

# ---------------------------------------------------------------------------
# Validation (SPEC §2, §7)
# ---------------------------------------------------------------------------

class Reject(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def reject_constant(name: str):
    raise ValueError(f"non-standard JSON constant {name}")


def parse_json(raw: bytes):
    """Strict JSON of one line: valid UTF-8, no NaN/Infinity, no lone
    surrogates; a repeated member takes its last value."""
    try:
        text = raw.decode("utf-8")
        value = json.loads(text, parse_constant=reject_constant)
        json.dumps(value, ensure_ascii=False).encode("utf-8")  # lone surrogates
    except (UnicodeError, ValueError, RecursionError):
        raise Reject("malformed_json")
    return value


def member(obj: dict, name: str):
    """`null` on a member is treated as absent (None)."""
    return obj.get(name)


def require(obj: dict, name: str):
    """Absent required member -> missing_field; null -> bad_type."""
    if name not in obj:
        raise Reject(f"missing_field:{name}")
    if obj[name] is None:
        raise Reject(f"bad_type:{name}")
    return obj[name]


def check_string(value, name: str, non_empty: bool = False) -> str:
    if not isinstance(value, str):
        raise Reject(f"bad_type:{name}")
    if non_empty and value == "":
        raise Reject(f"bad_value:{name}")
    return value


def check_number(value, name: str, low: float | None = None, high: float | None = None) -> float:
    """A JSON number (booleans are not numbers), finite as a double, in range."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise Reject(f"bad_type:{name}")
    try:
        number = float(value)
    except OverflowError:
        raise Reject(f"bad_value:{name}")
    if not math.isfinite(number):
        raise Reject(f"bad_value:{name}")
    if (low is not None and number < low) or (high is not None and number > high):
        raise Reject(f"bad_value:{name}")
    return number


def check_integer(value, name: str, low: int | None = None, high: int | None = None) -> int:
    """SPEC §2: "an integer member accepts a number written without fraction
    or exponent" (json parses those, and only those, to int)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise Reject(f"bad_type:{name}")
    if abs(value) > MAX_SAFE_INT:
        raise Reject(f"bad_value:{name}")
    if (low is not None and value < low) or (high is not None and value > high):
        raise Reject(f"bad_value:{name}")
    return value


def check_enum(value, name: str, allowed: tuple[str, ...]) -> str:
    value = check_string(value, name)
    if value not in allowed:
        raise Reject(f"bad_value:{name}")
    return value


def opt(obj: dict, name: str, check, *args):
    value = member(obj, name)
    return None if value is None else check(value, name, *args)


@dataclass
class Event:
    kind: str
    ts: int
    district: str
    f: dict  # validated, typed members of the kind


def validate_field_report(obj: dict) -> dict:
    f = {"id": check_string(require(obj, "id"), "id", True),
         "status": check_enum(require(obj, "status"), "status",
                              ("new", "assigned", "resolved", "rejected")),
         "text": opt(obj, "text", check_string),
         "category": opt(obj, "category", check_string)}
    # SPEC §2: "On new: text (string) and/or category".
    if f["status"] == "new" and f["text"] is None and f["category"] is None:
        raise Reject("missing_field:text")
    f["lat"] = opt(obj, "lat", check_number, -90, 90)
    f["lon"] = opt(obj, "lon", check_number, -180, 180)
    f["ward"] = opt(obj, "ward", check_string)
    f["channel"] = opt(obj, "channel", check_string)
    f["photos"] = opt(obj, "photos", check_integer, 0)
    f["agency"] = opt(obj, "agency", check_string)
    return f


def validate_traffic(obj: dict) -> dict:
    f = {"sensor": check_string(require(obj, "sensor"), "sensor", True),
         "segment": opt(obj, "segment", check_string),
         "vehicles": check_integer(require(obj, "vehicles"), "vehicles", 0),
         "speed_kmh": check_number(require(obj, "speed_kmh"), "speed_kmh", 0, 300),
         "occupancy": opt(obj, "occupancy", check_number, 0, 1),
         "interval_s": opt(obj, "interval_s", check_integer, 1)}
    # SPEC §2: "segment (string, default = sensor)"; empty also means sensor.
    if not f["segment"]:
        f["segment"] = f["sensor"]
    if f["interval_s"] is None:
        f["interval_s"] = 60
    return f


def validate_security(obj: dict) -> dict:
    f = {"sensor": check_string(require(obj, "sensor"), "sensor", True),
         "type": check_string(require(obj, "type"), "type", True),
         "severity": opt(obj, "severity", check_integer, 1, 5)}
    if f["severity"] is None:
        f["severity"] = 3
    return f


def check_due(value, name: str) -> int:
    ns = parse_rfc3339(check_string(value, name))
    if ns is None:
        raise Reject(f"bad_value:{name}")
    return ns


def validate_service(obj: dict) -> dict:
    f = {"dossier": check_string(require(obj, "dossier"), "dossier", True),
         "event": check_enum(require(obj, "event"), "event", ("received", "resolved", "returned"))}
    # SPEC §2: "agency (string, required on received)".
    if f["event"] == "received":
        f["agency"] = check_string(require(obj, "agency"), "agency")
    else:
        f["agency"] = opt(obj, "agency", check_string)
    f["procedure"] = opt(obj, "procedure", check_string)
    f["channel"] = opt(obj, "channel", check_enum, ("online", "counter", "post")) or "counter"
    f["due"] = opt(obj, "due", check_due)
    return f


def validate_metric(obj: dict) -> dict:
    return {"name": check_string(require(obj, "name"), "name", True),
            "value": check_number(require(obj, "value"), "value"),
            "system": opt(obj, "system", check_string),
            "unit": opt(obj, "unit", check_string)}


VALIDATORS = {"field_report": validate_field_report, "traffic": validate_traffic,
              "security": validate_security, "service": validate_service,
              "metric": validate_metric}


def validate(raw: bytes, now_ns: int, max_future_ns: int) -> Event:
    """Check order, first failure wins: JSON, object, kind, ts, future,
    district, then the kind's members in the order SPEC §2 lists them."""
    obj = parse_json(raw)
    if not isinstance(obj, dict):
        raise Reject("not_object")
    kind = require(obj, "kind")
    if not isinstance(kind, str):
        raise Reject("bad_type:kind")
    if kind not in KINDS:
        raise Reject("unknown_kind")
    ts_text = require(obj, "ts")
    if not isinstance(ts_text, str):
        raise Reject("bad_type:ts")
    ts = parse_rfc3339(ts_text)
    if ts is None:
        raise Reject("bad_timestamp")
    # SPEC §4: "An event more than --max-future ahead of the wall clock is rejected".
    if ts > now_ns + max_future_ns:
        raise Reject("future")
    district = opt(obj, "district", check_string)
    # SPEC §2: "absent means unknown in breakdowns" (empty too, see README).
    return Event(kind, ts, district or "unknown", VALIDATORS[kind](obj))

# ---------------------------------------------------------------------------
# Per-window aggregates ("in window" members) — SPEC §5
# ---------------------------------------------------------------------------

def counter_add(counter: dict, key, n: int = 1) -> None:
    counter[key] = counter.get(key, 0) + n


@dataclass
class AgencyCounts:
    received: int = 0
    resolved: int = 0
    on_time: int = 0
    with_due: int = 0


@dataclass
class WindowAgg:
    """Everything counted "in window" for one tumbling window."""
    # field reports
    fr_received: int = 0
    fr_resolved: int = 0
    fr_rejected: int = 0
    resolve_minutes: list = field(default_factory=list)
    fr_by_category: dict = field(default_factory=dict)
    fr_by_agency: dict = field(default_factory=dict)
    fr_by_district: dict = field(default_factory=dict)
    # traffic
    vehicles: int = 0
    speeds: list = field(default_factory=list)
    levels: dict = field(default_factory=dict)
    segment_speeds: dict = field(default_factory=dict)  # segment -> [speed]
    # security
    sec_events: int = 0
    sec_by_priority: dict = field(default_factory=dict)
    sec_by_type: dict = field(default_factory=dict)
    sec_by_route: dict = field(default_factory=dict)
    sec_by_district: dict = field(default_factory=dict)
    p12_by_district: dict = field(default_factory=dict)  # for security.hotspot
    # services
    sv_received: int = 0
    sv_received_online: int = 0
    sv_resolved: int = 0
    sv_on_time: int = 0
    sv_with_due: int = 0
    sv_agencies: dict = field(default_factory=dict)     # agency -> AgencyCounts
    # metrics
    metric_values: dict = field(default_factory=dict)   # name -> [value] (arrival order)

    def agency(self, name: str) -> AgencyCounts:
        return self.sv_agencies.setdefault(name, AgencyCounts())

# ---------------------------------------------------------------------------
# State ("state" members) — SPEC §5
# ---------------------------------------------------------------------------

@dataclass
class Report:
    has_new: bool = False
    new_ts: int = 0
    category: Category = OTHER
    resolved: bool = False
    rejected: bool = False

    def is_open(self) -> bool:
        """"open = ids with new and neither resolved nor rejected"."""
        return self.has_new and not self.resolved and not self.rejected


@dataclass
class Dossier:
    received: bool = False
    agency: str | None = None   # agency of its first received
    due: int | None = None      # due of its first received
    resolved: bool = False
    returned: bool = False

    def in_progress(self) -> bool:
        """"in_progress = received and neither resolved nor returned"."""
        return self.received and not self.resolved and not self.returned


@dataclass
class Alert:
    id: str
    rule: str
    subject: str
    priority: str
    since: int


class Alerts:
    """SPEC §6: "Clearing is only of an active alert; raising only of an
    inactive one"."""

    def __init__(self, sink):
        self.active: dict[str, Alert] = {}
        self.raised = 0
        self.cleared = 0
        self.sink = sink

    def is_active(self, rule: str, subject: str) -> bool:
        return f"{rule}:{subject}" in self.active

    def raise_(self, rule: str, subject: str, priority: str, at: int) -> None:
        alert_id = f"{rule}:{subject}"
        if alert_id in self.active:
            return
        self.active[alert_id] = Alert(alert_id, rule, subject, priority, at)
        self.raised += 1
        self._write("raised", self.active[alert_id], at)

    def clear(self, rule: str, subject: str, at: int) -> None:
        alert = self.active.pop(f"{rule}:{subject}", None)
        if alert is None:
            return
        self.cleared += 1
        self._write("cleared", alert, at)

    def _write(self, change: str, alert: Alert, at: int) -> None:
        if self.sink is not None:
            self.sink.write(dumps({"alert": change, "id": alert.id, "rule": alert.rule,
                                   "subject": alert.subject, "priority": alert.priority,
                                   "at": format_rfc3339(at)}) + "\n")

# ---------------------------------------------------------------------------
# Output helpers
# ---------------------------------------------------------------------------

def normalize_numbers(value):
    """Integral floats with |x| < 2^53 are written as integers."""
    if isinstance(value, float) and value.is_integer() and abs(value) < MAX_SAFE_INT:
        return int(value)
    if isinstance(value, dict):
        return {k: normalize_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [normalize_numbers(v) for v in value]
    return value


def dumps(obj) -> str:
    return json.dumps(normalize_numbers(obj), ensure_ascii=False, separators=(",", ":"))


def byte_key(text: str) -> bytes:
    return text.encode("utf-8")


def sorted_map(counter: dict, non_zero: bool = True) -> dict:
    """"keys of the by_* maps and of metrics are sorted (byte order)"."""
    return {k: counter[k] for k in sorted(counter, key=byte_key) if counter[k] or not non_zero}


def ratio(numerator, denominator):
    """"Ratios are null when the denominator is 0"."""
    return None if denominator == 0 else numerator / denominator


def mean(values: list):
    return None if not values else math.fsum(values) / len(values)


def nearest_rank(sorted_values: list, percent: int):
    """Nearest-rank quantile: rank = ceil(q*n), 1-based (exact integer maths)."""
    n = len(sorted_values)
    if n == 0:
        return None
    rank = max(1, (percent * n + 99) // 100)
    return sorted_values[rank - 1]


def merge_counters(counters) -> dict:
    out: dict = {}
    for c in counters:
        for k, v in c.items():
            counter_add(out, k, v)
    return out

# ---------------------------------------------------------------------------
# The processor
# ---------------------------------------------------------------------------

class Processor:
    def __init__(self, window_ns: int, lateness_ns: int, now_ns: int, max_future_ns: int,
                 out, dead_letter=None, alerts_sink=None):
        self.W = window_ns
        self.lateness = lateness_ns
        self.now = now_ns
        self.max_future = max_future_ns
        self.out = out
        self.dead_letter = dead_letter
        self.alerts = Alerts(alerts_sink)
        # pipeline totals
        self.lines = self.accepted = self.rejected = self.late = self.duplicates = 0
        self.snapshots = 0
        # time
        self.max_ts: int | None = None
        self.next_close: int | None = None   # lowest window index not yet closed
        self.highest: int | None = None      # window of the greatest non-late ts
        self.windows: dict[int, WindowAgg] = {}
        # state
        self.reports: dict[str, Report] = {}
        self.received_total = 0
        self.resolved_total = 0
        self.dossiers: dict[str, Dossier] = {}
        self.traffic_last: dict[str, int] = {}
        self.security_last: dict[str, int] = {}
        self.jam_run: dict[str, int] = {}

    # -- time ---------------------------------------------------------------

    def watermark(self) -> int | None:
        """SPEC §4: "Watermark = greatest event ts accepted so far minus --lateness"."""
        return None if self.max_ts is None else self.max_ts - self.lateness

    def window_of(self, ts: int) -> int:
        return ts // self.W

    def is_late(self, ts: int) -> bool:
        """"An event whose window has already closed is late" (end <= watermark)."""
        wm = self.watermark()
        return wm is not None and (self.window_of(ts) + 1) * self.W <= wm

    # -- input --------------------------------------------------------------

    def feed_line(self, raw: bytes, source: str, line_no: int) -> None:
        self.lines += 1
        try:
            event = validate(raw, self.now, self.max_future)
        except Reject as r:
            self.rejected += 1
            self.write_dead_letter(r.reason, source, line_no, raw)
            return
        self.accepted += 1
        late = self.is_late(event.ts)
        if late:
            self.late += 1
            self.write_dead_letter("late", source, line_no, raw)
            agg = None
        else:
            k = self.window_of(event.ts)
            agg = self.windows.setdefault(k, WindowAgg())
            self.next_close = k if self.next_close is None else min(self.next_close, k)
            self.highest = k if self.highest is None else max(self.highest, k)
        self.apply(event, agg)
        # SPEC §4: "a window closes right after the event that moves the
        # watermark past its end has been applied".
        self.max_ts = event.ts if self.max_ts is None else max(self.max_ts, event.ts)
        wm = self.watermark()
        while self.next_close is not None and self.next_close <= self.highest \
                and (self.next_close + 1) * self.W <= wm:
            self.close_next()

    def finish(self) -> None:
        """SPEC §4: "At end of input every open window closes"."""
        while self.next_close is not None and self.next_close <= self.highest:
            self.close_next()

    def write_dead_letter(self, reason: str, source: str, line_no: int, raw: bytes) -> None:
        if self.dead_letter is None:
            return
        cut = raw[:RAW_LIMIT]
        if len(raw) > RAW_LIMIT:
            cut = drop_partial_utf8_tail(cut)
        self.dead_letter.write(dumps({"reason": reason, "source": source, "line": line_no,
                                      "raw": cut.decode("utf-8", errors="replace")}) + "\n")

    # -- applying events (state always; window counts only when not late) ---

    def apply(self, e: Event, agg: WindowAgg | None) -> None:
        {"field_report": self.apply_field_report, "traffic": self.apply_traffic,
         "security": self.apply_security, "service": self.apply_service,
         "metric": self.apply_metric}[e.kind](e, agg)

    def apply_field_report(self, e: Event, agg: WindowAgg | None) -> None:
        f = e.f
        report = self.reports.setdefault(f["id"], Report())
        status = f["status"]
        if status == "new":
            # SPEC §2: "A new for an id already known is a duplicate".
            if report.has_new:
                self.duplicates += 1
                return
            report.has_new, report.new_ts = True, e.ts
            report.category = report_category(f["category"], f["text"])
            self.received_total += 1
            if agg is not None:
                agg.fr_received += 1
                counter_add(agg.fr_by_category, report.category.code)
                counter_add(agg.fr_by_agency, report.category.agency)
                counter_add(agg.fr_by_district, e.district)
        elif status == "resolved":
            if not report.resolved:   # "the first such transition of an id"
                report.resolved = True
                self.resolved_total += 1
                if agg is not None:
                    agg.fr_resolved += 1
                    if report.has_new:
                        agg.resolve_minutes.append((e.ts - report.new_ts) / MINUTE)
            self.alerts.clear("report.overdue", f["id"], e.ts)
        elif status == "rejected":
            if not report.rejected:
                report.rejected = True
                if agg is not None:
                    agg.fr_rejected += 1
            self.alerts.clear("report.overdue", f["id"], e.ts)

    def apply_traffic(self, e: Event, agg: WindowAgg | None) -> None:
        f = e.f
        sensor, segment, speed = f["sensor"], f["segment"], f["speed_kmh"]
        self.traffic_last[sensor] = max(self.traffic_last.get(sensor, e.ts), e.ts)
        self.alerts.clear("sensor.offline", sensor, e.ts)
        level = traffic_level(speed)
        if agg is not None:
            agg.vehicles += f["vehicles"]
            agg.speeds.append(speed)
            counter_add(agg.levels, level)
            agg.segment_speeds.setdefault(segment, []).append(speed)
        # SPEC §6 traffic.jam: "on its 3rd consecutive reading (arrival order)
        # at level jam"; "cleared by a free or moderate reading".
        if level == "jam":
            self.jam_run[segment] = self.jam_run.get(segment, 0) + 1
            if self.jam_run[segment] == 3:
                self.alerts.raise_("traffic.jam", segment, "P2", e.ts)
        else:
            self.jam_run[segment] = 0
            if level in ("free", "moderate"):
                self.alerts.clear("traffic.jam", segment, e.ts)

    def apply_security(self, e: Event, agg: WindowAgg | None) -> None:
        f = e.f
        sensor = f["sensor"]
        self.security_last[sensor] = max(self.security_last.get(sensor, e.ts), e.ts)
        self.alerts.clear("sensor.offline", sensor, e.ts)
        if agg is None:
            return
        priority = security_priority(f["type"], f["severity"])
        agg.sec_events += 1
        counter_add(agg.sec_by_priority, priority)
        counter_add(agg.sec_by_type, f["type"])
        counter_add(agg.sec_by_route, security_route(f["type"]))
        counter_add(agg.sec_by_district, e.district)
        if priority in ("P1", "P2"):
            counter_add(agg.p12_by_district, e.district)

    def apply_service(self, e: Event, agg: WindowAgg | None) -> None:
        f = e.f
        dossier = self.dossiers.setdefault(f["dossier"], Dossier())
        event = f["event"]

        def agency() -> str:
            # Agency of a dossier = agency of its first received; a dossier
            # never received uses the event's own agency, else "unknown".
            if dossier.agency is not None:
                return dossier.agency
            return f["agency"] if f["agency"] is not None else "unknown"

        if event == "received":
            if dossier.received:
                if agg is not None:
                    agg.agency(agency())  # a repeated event is still an event of this agency in the window
                return
            dossier.received, dossier.agency, dossier.due = True, f["agency"], f["due"]
            if agg is not None:
                agg.sv_received += 1
                agg.agency(agency()).received += 1
                if f["channel"] == "online":
                    agg.sv_received_online += 1
        elif event == "resolved":
            if dossier.resolved:
                if agg is not None:
                    agg.agency(agency())  # a repeated event is still an event of this agency in the window
                return
            dossier.resolved = True
            if agg is not None:
                # "on time = resolved ts <= due (from either event)"
                due = f["due"] if f["due"] is not None else dossier.due
                counts = agg.agency(agency())
                agg.sv_resolved += 1
                counts.resolved += 1
                if due is not None:
                    agg.sv_with_due += 1
                    counts.with_due += 1
                    if e.ts <= due:
                        agg.sv_on_time += 1
                        counts.on_time += 1
        elif event == "returned":
            if dossier.returned:
                if agg is not None:
                    agg.agency(agency())  # a repeated event is still an event of this agency in the window
                return
            dossier.returned = True
            if agg is not None:
                agg.agency(agency())  # an event of this agency in the window

    def apply_metric(self, e: Event, agg: WindowAgg | None) -> None:
        if agg is not None:
            agg.metric_values.setdefault(e.f["name"], []).append(e.f["value"])

    # -- closing ----------------------------------------------------------------

    def close_next(self) -> None:
        k = self.next_close
        self.next_close += 1
        clock = (k + 1) * self.W   # "the clock of a snapshot is its window's end"
        agg = self.windows.get(k, WindowAgg())
        self.check_alerts_at_close(agg, clock)
        self.out.write(dumps(self.snapshot(k, clock)) + "\n")
        self.snapshots += 1
        # Windows older than the longest rolling span are no longer needed.
        oldest_needed = (clock - ROLLING[-1][1]) // self.W
        for old in [w for w in self.windows if w < min(oldest_needed, k)]:
            del self.windows[old]

    def offline(self, last_seen: dict, clock: int) -> list[str]:
        """"offline when its last event ts < the clock - sensor_ttl"."""
        return sorted((s for s, ts in last_seen.items() if ts < clock - SENSOR_TTL), key=byte_key)

    def overdue_reports(self, clock: int) -> list[str]:
        """"overdue = open ids whose new ts + category SLA < the clock"."""
        return sorted((rid for rid, r in self.reports.items()
                       if r.is_open() and r.new_ts + r.category.sla_ns < clock), key=byte_key)

    def check_alerts_at_close(self, agg: WindowAgg, clock: int) -> None:
        a = self.alerts
        for rid in self.overdue_reports(clock):
            a.raise_("report.overdue", rid, self.reports[rid].category.priority, clock)
        # One alert per sensor name for both kinds; raised in byte order of the name.
        names = self.offline(self.traffic_last, clock) + self.offline(self.security_last, clock)
        for sensor in sorted(set(names), key=byte_key):
            a.raise_("sensor.offline", sensor, "P3", clock)
        # security.hotspot: ">= 5 P1/P2 events there"; cleared "at a later
        # close whose window had fewer".
        for alert in sorted(a.active.values(), key=lambda x: byte_key(x.id)):
            if alert.rule == "security.hotspot" and agg.p12_by_district.get(alert.subject, 0) < 5:
                a.clear("security.hotspot", alert.subject, clock)
        for district in sorted(agg.p12_by_district, key=byte_key):
            if agg.p12_by_district[district] >= 5:
                a.raise_("security.hotspot", district, "P1", clock)
        # metric.sla: "*.response_ms p95 > 2000, *.up mean < 0.99".
        for name in sorted(agg.metric_values, key=byte_key):
            values = agg.metric_values[name]
            broken = (name.endswith(".response_ms") and nearest_rank(sorted(values), 95) > 2000) \
                or (name.endswith(".up") and mean(values) < 0.99)
            if broken:
                a.raise_("metric.sla", name, "P2", clock)
            else:
                a.clear("metric.sla", name, clock)

    # -- the snapshot ---------------------------------------------------------

    def snapshot(self, k: int, clock: int) -> dict:
        aggs = [self.windows.get(k, WindowAgg())]
        sections = self.sections(aggs, clock)
        rolling = {}
        for label, span in ROLLING:
            # "the windows whose start is at or after the closing window's end
            # minus 15 / 60 minutes (the closing window included)"; windows
            # after the closing one are not part of it (see README).
            first = min(-((span - clock) // self.W), k)  # ceil((clock - span) / W)
            span_aggs = [self.windows[j] for j in sorted(self.windows) if first <= j <= k]
            rolling[label] = self.sections(span_aggs or aggs, clock)
        return {"schema": "ioc.snapshot/1",
                "window": {"start": format_rfc3339(k * self.W), "end": format_rfc3339(clock),
                           "final": True},
                "watermark": format_rfc3339(self.watermark()),
                "pipeline": {"lines": self.lines, "accepted": self.accepted,
                             "rejected": self.rejected, "late": self.late,
                             "duplicates": self.duplicates, "ignored": 0, "dropped": 0},
                **sections,
                "rolling": rolling,
                "alerts": self.alerts_section()}

    def sections(self, aggs: list[WindowAgg], clock: int) -> dict:
        """The five kind sections over one or more windows (merged)."""
        return {"field_reports": self.field_reports_section(aggs, clock),
                "traffic": self.traffic_section(aggs, clock),
                "security": self.security_section(aggs, clock),
                "services": self.services_section(aggs, clock),
                "metrics": self.metrics_section(aggs)}

    def field_reports_section(self, aggs: list[WindowAgg], clock: int) -> dict:
        minutes = sorted(m for a in aggs for m in a.resolve_minutes)
        open_reports = [r for r in self.reports.values() if r.is_open()]
        return {"received": sum(a.fr_received for a in aggs),
                "resolved": sum(a.fr_resolved for a in aggs),
                "rejected": sum(a.fr_rejected for a in aggs),
                "open": len(open_reports),
                "overdue": sum(1 for r in open_reports if r.new_ts + r.category.sla_ns < clock),
                "received_total": self.received_total,
                "resolved_total": self.resolved_total,
                "resolved_share": ratio(self.resolved_total, self.received_total),
                "resolve_minutes": {"count": len(minutes), "p50": nearest_rank(minutes, 50),
                                    "p90": nearest_rank(minutes, 90)},
                "by_category": sorted_map(merge_counters(a.fr_by_category for a in aggs)),
                "by_agency": sorted_map(merge_counters(a.fr_by_agency for a in aggs)),
                "by_district": sorted_map(merge_counters(a.fr_by_district for a in aggs))}

    def traffic_section(self, aggs: list[WindowAgg], clock: int) -> dict:
        speeds = [s for a in aggs for s in a.speeds]
        levels = merge_counters(a.levels for a in aggs)
        segment_speeds: dict[str, list] = {}
        for a in aggs:
            for seg, values in a.segment_speeds.items():
                segment_speeds.setdefault(seg, []).extend(values)
        segment_means = {seg: mean(values) for seg, values in segment_speeds.items()}
        segment_levels: dict = {}
        for m in segment_means.values():
            counter_add(segment_levels, traffic_level(m))
        slowest = sorted(segment_means, key=lambda s: (segment_means[s], byte_key(s)))[:5]
        offline = len(self.offline(self.traffic_last, clock))
        return {"readings": len(speeds),
                "vehicles": sum(a.vehicles for a in aggs),
                "mean_speed_kmh": mean(speeds),
                "levels": {lv: levels.get(lv, 0) for lv in LEVELS},
                "segments": {lv: segment_levels.get(lv, 0) for lv in LEVELS},
                "slowest": [{"segment": s, "mean_speed_kmh": segment_means[s],
                             "level": traffic_level(segment_means[s])} for s in slowest],
                "sensors_online": len(self.traffic_last) - offline,
                "sensors_offline": offline}

    def security_section(self, aggs: list[WindowAgg], clock: int) -> dict:
        by_priority = merge_counters(a.sec_by_priority for a in aggs)
        return {"events": sum(a.sec_events for a in aggs),
                "by_priority": {p: by_priority.get(p, 0) for p in PRIORITIES},
                "by_type": sorted_map(merge_counters(a.sec_by_type for a in aggs)),
                "by_route": sorted_map(merge_counters(a.sec_by_route for a in aggs)),
                "by_district": sorted_map(merge_counters(a.sec_by_district for a in aggs)),
                "sensors_offline": len(self.offline(self.security_last, clock))}

    def services_section(self, aggs: list[WindowAgg], clock: int) -> dict:
        per_agency: dict[str, AgencyCounts] = {}
        for a in aggs:
            for name, c in a.sv_agencies.items():
                t = per_agency.setdefault(name, AgencyCounts())
                t.received += c.received
                t.resolved += c.resolved
                t.on_time += c.on_time
                t.with_due += c.with_due
        in_progress: dict = {}
        overdue: dict = {}
        for d in self.dossiers.values():
            if d.in_progress():
                counter_add(in_progress, d.agency)
                if d.due is not None and d.due < clock:
                    counter_add(overdue, d.agency)
        for name in in_progress:
            per_agency.setdefault(name, AgencyCounts())
        received_online = sum(a.sv_received_online for a in aggs)
        received = sum(a.sv_received for a in aggs)
        on_time = sum(a.sv_on_time for a in aggs)
        return {"received": received,
                "received_online": received_online,
                "online_share": ratio(received_online, received),
                "resolved": sum(a.sv_resolved for a in aggs),
                "resolved_on_time": on_time,
                "on_time_rate": ratio(on_time, sum(a.sv_with_due for a in aggs)),
                "in_progress": sum(in_progress.values()),
                "overdue": sum(overdue.values()),
                "by_agency": {name: {"received": per_agency[name].received,
                                     "resolved": per_agency[name].resolved,
                                     "on_time_rate": ratio(per_agency[name].on_time,
                                                           per_agency[name].with_due),
                                     "in_progress": in_progress.get(name, 0),
                                     "overdue": overdue.get(name, 0)}
                              for name in sorted(per_agency, key=byte_key)}}

    def metrics_section(self, aggs: list[WindowAgg]) -> dict:
        values: dict[str, list] = {}
        last: dict = {}
        for a in aggs:  # oldest window first, so `last` ends as the most recent
            for name, vs in a.metric_values.items():
                values.setdefault(name, []).extend(vs)
                last[name] = vs[-1]
        out = {}
        for name in sorted(values, key=byte_key):
            vs = sorted(values[name])
            out[name] = {"count": len(vs), "mean": mean(vs), "min": vs[0], "max": vs[-1],
                         "p50": nearest_rank(vs, 50), "p95": nearest_rank(vs, 95),
                         "p99": nearest_rank(vs, 99), "last": last[name]}
        return out

    def alerts_section(self) -> dict:
        active = sorted(self.alerts.active.values(),
                        key=lambda x: (PRIORITIES.index(x.priority), x.since, byte_key(x.id)))
        by_rule: dict = {}
        for alert in active:
            counter_add(by_rule, alert.rule)
        return {"active_total": len(active),
                "by_rule": sorted_map(by_rule),
                "active": [{"id": x.id, "rule": x.rule, "subject": x.subject,
                            "priority": x.priority, "since": format_rfc3339(x.since)}
                           for x in active[:ACTIVE_LIMIT]],
                "raised": self.alerts.raised,
                "cleared": self.alerts.cleared}


def drop_partial_utf8_tail(cut: bytes) -> bytes:
    """When truncation splits a multi-byte UTF-8 character, drop its head."""
    for back in range(1, min(4, len(cut)) + 1):
        byte = cut[-back]
        if byte & 0xC0 != 0x80:          # a lead byte (or ASCII)
            need = 1 if byte < 0x80 else 2 if byte >> 5 == 0b110 else \
                3 if byte >> 4 == 0b1110 else 4 if byte >> 3 == 0b11110 else 1
            return cut[:-back] if need > back else cut
    return cut


def read_lines(data: bytes):
    """SPEC §2: "\\n-terminated (a final line without \\n counts; \\r\\n is
    accepted). Blank lines are skipped silently."  Yields (line_no, bytes)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    parts = data.split(b"\n")
    if parts and parts[-1] == b"":
        parts.pop()
    for number, line in enumerate(parts, start=1):
        if line.endswith(b"\r"):
            line = line[:-1]
        if line.strip(b" \t") == b"":
            continue
        yield number, line


class ArgumentParser(argparse.ArgumentParser):
    def error(self, message):
        """SPEC §7: "64 (EX_USAGE) on bad flags, rules or paths"."""
        self.exit(64, f"Error: {message}\n")


def main(argv=None) -> int:
    p = ArgumentParser(description="ioc-stream reference implementation (SPEC §2-7)")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--window", type=parse_duration, default=parse_duration("60s"))
    p.add_argument("--lateness", type=parse_duration, default=parse_duration("30s"))
    p.add_argument("--max-future", type=parse_duration, default=parse_duration("5m"))
    p.add_argument("--now", type=parse_now, default=None,
                   help="wall clock for the future check (default: the real clock)")
    p.add_argument("--dead-letter", metavar="PATH")
    p.add_argument("--alerts", metavar="PATH")
    args = p.parse_args(argv)
    if args.window <= 0:
        p.error("--window must be positive")
    for path in args.files:
        if path != "-" and not os.path.isfile(path):
            p.error(f"no such input file: {path}")
    now = args.now if args.now is not None else time.time_ns()
    out = open(sys.stdout.fileno(), "w", encoding="utf-8", newline="\n", closefd=False)
    dead = open(args.dead_letter, "w", encoding="utf-8", newline="\n") if args.dead_letter else None
    alerts = open(args.alerts, "w", encoding="utf-8", newline="\n") if args.alerts else None
    proc = Processor(args.window, args.lateness, now, args.max_future, out, dead, alerts)
    for path in args.files:
        try:
            data = sys.stdin.buffer.read() if path == "-" else open(path, "rb").read()
        except OSError as error:   # SPEC §7: "1 on a failure to read ... an input"
            print(f"Error: {error}", file=sys.stderr)
            return 1
        for line_no, raw in read_lines(data):
            proc.feed_line(raw, path, line_no)
    proc.finish()
    out.flush()
    for f in (dead, alerts):
        if f is not None:
            f.close()
    print(f"pipeline lines={proc.lines} accepted={proc.accepted} rejected={proc.rejected} "
          f"late={proc.late} duplicates={proc.duplicates} ignored=0 dropped=0 "
          f"snapshots={proc.snapshots}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
