#!/usr/bin/env python3
"""Deterministic synthetic city feed (NDJSON) for differential testing of
`ioc run` against ioc_reference.py (SPEC §2).

    python3 gen_feed.py --seed N --events N [--start 2026-11-22T07:00:00+07:00] [--bad 0.02]

The same arguments always give the same bytes.  Every timestamp lies before
2030-01-01T00:00:00Z except the deliberate `future` bad lines (year 2031), so
run both implementations with `--now 2030-01-01T00:00:00Z`.

What the feed holds, minute by minute of simulated time:
- traffic: 12 loop detectors on 9 segments, one reading a minute each; jam
  episodes (runs of >= 3 readings under 10 km/h), heavy spells, detectors that
  go silent for 6-15 minutes (sensor.offline);
- security: 8 cameras/alarms in 5 districts, background events plus bursts of
  5-8 P1/P2 events inside 30 s in one district (security.hotspot);
- field reports: Vietnamese (with and without accents) and English texts built
  from the category phrases and filler words, some matching nothing, some
  ambiguous, some with a `category` code (a few unknown); lifecycle
  new -> assigned -> resolved / rejected / left open, delays of minutes to days
  (fire reports often pass their 1 h SLA); some duplicate `new`s;
- services: dossiers received (online/counter/post) with a due date, resolved
  before or after it, a few returned;
- metrics: `portal.response_ms` every 10 s (slow spells push p95 past 2000),
  `portal.up` every 30 s (outages give 0);
- arrival order: a few seconds of jitter, and about 0.3 % of events arrive
  2-10 minutes late; --bad RATIO of lines are broken in every rejection kind.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import unicodedata
from datetime import datetime, timedelta, timezone

ICT = timezone(timedelta(hours=7))

PHRASES = {
    "fire": (["cháy", "hỏa hoạn", "bốc khói", "khói"], ["fire", "smoke", "burning"]),
    "flooding": (["ngập", "ngập úng", "tắc cống", "thoát nước"],
                 ["flood", "flooding", "sewer", "clogged drain"]),
    "public_order": (["trộm", "cướp", "đánh nhau", "gây rối", "tiếng ồn"],
                     ["theft", "robbery", "fight", "noise"]),
    "traffic": (["tai nạn", "ùn tắc", "kẹt xe"], ["accident", "traffic jam", "congestion"]),
    "roads": (["ổ gà", "hư hỏng đường", "sụt lún", "nứt đường"],
              ["pothole", "road damage", "sinkhole"]),
    "lighting": (["đèn đường", "đèn chiếu sáng"], ["streetlight", "street light", "light out"]),
    "sanitation": (["rác", "rác thải", "xả thải", "mùi hôi"],
                   ["garbage", "trash", "litter", "dumping"]),
    "trees": (["cây đổ", "cành cây", "cây xanh"], ["fallen tree", "tree"]),
    "construction": (["lấn chiếm", "vỉa hè", "xây dựng trái phép"],
                     ["encroachment", "illegal construction"]),
}
CATEGORY_WEIGHTS = {"fire": 4, "flooding": 14, "public_order": 10, "traffic": 12, "roads": 14,
                    "lighting": 10, "sanitation": 16, "trees": 8, "construction": 6}
VI_FILLER = ["người dân phản ánh", "tại", "khu vực", "gần chợ", "đầu hẻm", "trước nhà số 12",
             "đường Lê Lợi", "phường Bến Nghé", "từ sáng nay", "rất nguy hiểm", "đề nghị xử lý",
             "nhiều ngày", "ở", "nước chảy", "xin cảm ơn"]
EN_FILLER = ["resident reports", "near the market", "at", "on Nguyen Hue street", "since morning",
             "please check", "very dangerous", "again", "outside house 12", "ward 3", "urgent"]
NOTHING = ["xin hỏi giờ làm việc của phường", "cho hỏi thủ tục", "hello is anyone there",
           "thank you for the quick answer", "cam on can bo phuong", "nước chảy tràn qua đường"]
DISTRICTS = ["Quận 1", "Quận 3", "Bình Thạnh", "Thủ Đức", "Gò Vấp"]
WARDS = ["Bến Nghé", "Bến Thành", "Võ Thị Sáu", "Phường 25", "Thảo Điền", "Phường 5"]
SEGMENTS = ["le-loi", "nguyen-hue", "dien-bien-phu", "vo-van-kiet", "cmt8", "xa-lo-ha-noi",
            "pham-van-dong", "nguyen-thi-minh-khai", "hai-ba-trung"]
SEC_TYPES = [("intrusion", 12), ("loitering", 10), ("crowd", 8), ("fight", 5), ("camera_offline", 6),
             ("tamper", 3), ("ids_alert", 4), ("smoke", 2), ("fire", 1), ("weapon", 1),
             ("door_forced", 3)]
AGENCIES = ["so-tu-phap", "so-tai-nguyen", "ubnd-quan-1", "so-xay-dung", "cong-an-phuong"]
PROCEDURES = ["khai-sinh", "cap-phep-xay-dung", "dang-ky-kinh-doanh", "chung-thuc"]


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.category(c).startswith("M")) \
        .replace("đ", "d").replace("Đ", "D")


class Feed:
    def __init__(self, seed: int, start: datetime):
        self.rng = random.Random(seed)
        self.start = start
        self.events: list[tuple[float, int, dict]] = []   # (seconds since start, seq, obj)
        self.seq = 0
        self.report_no = 0
        self.dossier_no = 0

    # -- helpers ----------------------------------------------------------

    def ts(self, seconds: float) -> str:
        """RFC 3339, mostly +07:00, some Z, some with milliseconds."""
        moment = self.start + timedelta(seconds=seconds)
        moment = moment.astimezone(ICT if self.rng.random() < 0.7 else timezone.utc)
        text = moment.strftime("%Y-%m-%dT%H:%M:%S")
        if self.rng.random() < 0.2:
            text += f".{moment.microsecond // 1000:03d}"
        return text + ("Z" if moment.utcoffset() == timedelta(0) else "+07:00")

    def emit(self, seconds: float, obj: dict) -> None:
        self.seq += 1
        self.events.append((seconds, self.seq, obj))

    def report_text(self) -> tuple[str, str | None]:
        r = self.rng
        if r.random() < 0.08:
            return r.choice(NOTHING), None
        cats = r.choices(list(CATEGORY_WEIGHTS), weights=list(CATEGORY_WEIGHTS.values()),
                         k=2 if r.random() < 0.12 else 1)       # some ambiguous texts
        english = r.random() < 0.3
        parts = []
        for cat in cats:
            vi, en = PHRASES[cat]
            parts.append(r.choice(en if english else vi))
            parts.append(r.choice(EN_FILLER if english else VI_FILLER))
        parts.insert(0, r.choice(EN_FILLER if english else VI_FILLER))
        text = " ".join(parts)
        if r.random() < 0.5:
            text = text[0].upper() + text[1:]
        if not english and r.random() < 0.35:                    # typed without accents
            text = fold(text)
        if r.random() < 0.2:
            text += r.choice([".", "!", "!!", "?", " ..."])
        return text, cats[0]

    # -- the simulation ------------------------------------------------------

    def simulate(self, minutes: int) -> None:
        r = self.rng
        sensors = [(f"TD-{i:02d}", SEGMENTS[i % len(SEGMENTS)]) for i in range(12)]
        silent_until = {s: -1.0 for s, _ in sensors}
        jam_left = {seg: 0 for seg in SEGMENTS}
        heavy_left = {seg: 0 for seg in SEGMENTS}
        cameras = [(f"CAM-{i:02d}", DISTRICTS[i % len(DISTRICTS)]) for i in range(8)]
        slow_left = outage_left = 0
        for minute in range(minutes):
            base = minute * 60.0
            # traffic
            for seg in SEGMENTS:
                if jam_left[seg] == 0 and r.random() < 0.02:
                    jam_left[seg] = r.randint(3, 8)
                elif heavy_left[seg] == 0 and r.random() < 0.04:
                    heavy_left[seg] = r.randint(2, 6)
            for sensor, seg in sensors:
                if silent_until[sensor] < base and r.random() < 0.004:
                    silent_until[sensor] = base + r.randint(6, 15) * 60
                if base < silent_until[sensor]:
                    continue
                if jam_left[seg]:
                    speed = round(r.uniform(1, 9.5), 1)
                elif heavy_left[seg]:
                    speed = round(r.uniform(10, 30), 1)
                else:
                    speed = round(r.uniform(22, 65), 1)
                obj = {"kind": "traffic", "ts": None, "sensor": sensor, "vehicles": r.randint(0, 90),
                       "speed_kmh": speed if r.random() < 0.8 else int(speed)}
                if r.random() < 0.95:       # else the segment defaults to the sensor
                    obj["segment"] = seg
                if r.random() < 0.7:
                    obj["occupancy"] = round(r.uniform(0, 1), 3)
                if r.random() < 0.3:
                    obj["interval_s"] = 60
                self.emit(base + r.uniform(0, 59), obj)
            for seg in SEGMENTS:
                jam_left[seg] = max(0, jam_left[seg] - 1)
                heavy_left[seg] = max(0, heavy_left[seg] - 1)
            # security
            for camera in cameras:
                if r.random() < 0.45:
                    self.security(base + r.uniform(0, 59), *camera)
            if r.random() < 0.03:
                cams = [c for c in cameras if c[1] == r.choice(DISTRICTS)] or cameras[:1]
                for _ in range(r.randint(5, 8)):
                    self.security(base + r.uniform(0, 30), *r.choice(cams),
                                  type_=r.choice(["intrusion", "fight", "weapon", "smoke"]),
                                  severity=r.randint(3, 5))
            # field reports
            for _ in range(r.choices([0, 1, 2], [3, 5, 2])[0]):
                self.report(base + r.uniform(0, 59))
            # services
            for _ in range(r.choices([0, 1], [4, 6])[0]):
                self.dossier(base + r.uniform(0, 59))
            # metrics
            if slow_left == 0 and r.random() < 0.04:
                slow_left = r.randint(2, 5)
            if outage_left == 0 and r.random() < 0.02:
                outage_left = r.randint(1, 3)
            for k in range(6):
                value = r.uniform(1500, 6000) if slow_left and r.random() < 0.6 \
                    else r.lognormvariate(5.5, 0.5)
                self.emit(base + k * 10 + r.uniform(0, 2),
                          {"kind": "metric", "ts": None, "name": "portal.response_ms",
                           "value": round(value, 1), "system": "cong-dich-vu-cong", "unit": "ms"})
            for k in range(2):
                self.emit(base + k * 30 + r.uniform(0, 2),
                          {"kind": "metric", "ts": None, "name": "portal.up",
                           "value": 0 if outage_left and r.random() < 0.7 else 1})
            slow_left = max(0, slow_left - 1)
            outage_left = max(0, outage_left - 1)

    def security(self, at: float, sensor: str, district: str, type_: str | None = None,
                 severity: int | None = None) -> None:
        r = self.rng
        obj = {"kind": "security", "ts": None, "sensor": sensor, "district": district,
               "type": type_ or r.choices([t for t, _ in SEC_TYPES], [w for _, w in SEC_TYPES])[0]}
        if severity is None and r.random() < 0.8:
            severity = r.choices([1, 2, 3, 4, 5], [3, 4, 5, 2, 1])[0]
        if severity is not None:
            obj["severity"] = severity
        self.emit(at, obj)

    def report(self, at: float) -> None:
        r = self.rng
        self.report_no += 1
        rid = f"PA-{self.report_no:06d}"
        text, cat = self.report_text()
        district = r.choice(DISTRICTS)
        new = {"kind": "field_report", "ts": None, "id": rid, "status": "new", "text": text}
        if r.random() < 0.9:
            new["district"] = district
        if cat and r.random() < 0.15:
            new["category"] = cat if r.random() < 0.8 else "potholes"   # some unknown codes
            if r.random() < 0.3:
                del new["text"]
        if r.random() < 0.6:
            new["lat"], new["lon"] = round(r.uniform(10.7, 10.9), 6), round(r.uniform(106.6, 106.8), 6)
        if r.random() < 0.5:
            new["ward"] = r.choice(WARDS)
        new["channel"] = r.choice(["app", "hotline", "zalo", "web"])
        if r.random() < 0.3:
            new["photos"] = r.randint(0, 4)
        self.emit(at, new)
        if r.random() < 0.03:                                        # duplicate new
            self.emit(at + r.uniform(5, 600), dict(new))
        assigned = at + r.uniform(60, 1800)
        self.emit(assigned, {"kind": "field_report", "ts": None, "id": rid, "status": "assigned",
                             "agency": r.choice(["police", "drainage", "transport", "ward"])})
        fate = r.random()
        delay = r.lognormvariate(8.0, 1.6)          # median ~50 min, tail of days
        if fate < 0.75:
            self.emit(assigned + delay, {"kind": "field_report", "ts": None, "id": rid,
                                         "status": "resolved"})
        elif fate < 0.85:
            self.emit(assigned + delay / 4, {"kind": "field_report", "ts": None, "id": rid,
                                             "status": "rejected"})

    def dossier(self, at: float) -> None:
        r = self.rng
        self.dossier_no += 1
        did = f"HS-{self.dossier_no:06d}"
        agency = r.choice(AGENCIES)
        due = at + r.uniform(15, 180) * 60
        received = {"kind": "service", "ts": None, "dossier": did, "event": "received",
                    "agency": agency, "procedure": r.choice(PROCEDURES),
                    "channel": r.choice(["online", "online", "counter", "post"]),
                    "district": r.choice(DISTRICTS)}
        if r.random() < 0.85:
            received["due"] = self.ts(due)
        if r.random() < 0.1:
            del received["channel"]
        self.emit(at, received)
        fate = r.random()
        end = at + r.uniform(10, 200) * 60
        if fate < 0.8:
            resolved = {"kind": "service", "ts": None, "dossier": did, "event": "resolved"}
            if r.random() < 0.2:
                resolved["due"] = self.ts(due + 1800)
            if r.random() < 0.5:
                resolved["agency"] = agency
            self.emit(end, resolved)
        elif fate < 0.88:
            self.emit(end, {"kind": "service", "ts": None, "dossier": did, "event": "returned"})

    # -- arrival order and serialisation -------------------------------------------

    def lines(self, count: int, bad: float) -> list[bytes]:
        r = self.rng
        arrivals = []
        for seconds, seq, obj in self.events:
            delay = r.uniform(0, 4)
            if r.random() < 0.003:
                delay = r.uniform(120, 600)                            # late arrival
            arrivals.append((seconds + delay, seq, seconds, obj))
        arrivals.sort()
        out = []
        for _, _, seconds, obj in arrivals:
            if len(out) >= count:
                break
            obj = dict(obj, ts=self.ts(seconds))
            if r.random() < bad:
                out.append(self.broken(obj))
            else:
                out.append(json.dumps(obj, ensure_ascii=r.random() < 0.1).encode())
        return out

    def broken(self, obj: dict) -> bytes:
        """One line of each rejection kind in turn (SPEC §7)."""
        r = self.rng
        o = dict(obj)
        kind = r.randrange(16)
        if kind == 0:
            return json.dumps(o, ensure_ascii=False).encode()[:-7]                # malformed_json
        if kind == 1:
            return b"[" + json.dumps(o).encode() + b"]"                          # not_object
        if kind == 2:
            del o["kind"]                                                        # missing_field:kind
        elif kind == 3:
            o["kind"] = r.choice(["weather", "Traffic", ""])                     # unknown_kind
        elif kind == 4:
            o["kind"] = 3                                                        # bad_type:kind
        elif kind == 5:
            o["ts"] = r.choice(["2026-13-01T00:00:00Z", "2026-11-22 07:00:00", "yesterday",
                                "2026-11-31T07:00:00+07:00", "2026-11-22T24:00:00Z"])  # bad_timestamp
        elif kind == 6:
            o["ts"] = "2031-01-01T00:00:00Z"                                     # future
        elif kind == 7:
            del o["ts"]                                                          # missing_field:ts
        elif kind == 8:
            o["district"] = 7                                                    # bad_type:district
        elif kind == 9:
            return json.dumps(o, ensure_ascii=False).encode().replace(b'"ts"', b'"t\xff"')  # bad UTF-8
        else:
            o = self.break_member(o)
        return json.dumps(o, ensure_ascii=False).encode()

    def break_member(self, o: dict) -> dict:
        r = self.rng
        k = o["kind"]
        if k == "field_report":
            choice = r.randrange(4)
            if choice == 0:
                del o["id"]
            elif choice == 1:
                o["status"] = "closed"
            elif choice == 2:
                o["lat"] = 123.4
            else:
                o["photos"] = 2.0
        elif k == "traffic":
            choice = r.randrange(4)
            if choice == 0:
                o["vehicles"] = -1
            elif choice == 1:
                o["speed_kmh"] = 512
            elif choice == 2:
                o["speed_kmh"] = "fast"
            else:
                o["occupancy"] = 1.5
        elif k == "security":
            if r.random() < 0.5:
                o["severity"] = 9
            else:
                o["type"] = None
        elif k == "service":
            choice = r.randrange(3)
            if choice == 0:
                o["channel"] = "fax"
            elif choice == 1:
                o["due"] = "soon"
            else:
                o["event"] = "archived"
        else:
            if r.random() < 0.5:
                o["value"] = "12"
            else:
                o["name"] = ""
        return o


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--events", type=int, default=5000, help="number of lines to write")
    p.add_argument("--start", default="2026-11-22T07:00:00+07:00")
    p.add_argument("--bad", type=float, default=0.0, help="ratio of broken lines")
    args = p.parse_args()
    start = datetime.fromisoformat(args.start.replace("Z", "+00:00"))
    feed = Feed(args.seed, start)
    # ~24 events per simulated minute; simulate enough minutes, then cut.
    feed.simulate(minutes=args.events // 20 + 30)
    out = sys.stdout.buffer
    for line in feed.lines(args.events, args.bad):
        out.write(line + b"\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
