# How samples/city-morning.ndjson was made (deterministic: the same script gives the same bytes).
# Regenerate with: python3 samples/tools/make_city_morning.py, then refresh samples/expected/ with ioc run.
# Generates samples/city-morning.ndjson: a realistic Hanoi/HCMC-style IOC morning, 07:00-07:40 +07:00.
import json, random
random.seed(20261122)
out = []
def ts(minute, second, frac=None, utc=False):
    h = 7 + minute // 60; m = minute % 60
    if utc:
        s = f"2026-11-22T{h-7:02d}:{m:02d}:{second:02d}"
        return s + (f".{frac}" if frac else "") + "Z"
    s = f"2026-11-22T{h:02d}:{m:02d}:{second:02d}"
    return s + (f".{frac}" if frac else "") + "+07:00"
def emit(obj): out.append(json.dumps(obj, ensure_ascii=False, separators=(",", ":")))
districts = ["Hoàn Kiếm", "Ba Đình", "Đống Đa", "Cầu Giấy", "Hai Bà Trưng", "Thanh Xuân"]
segments = {"tr-01": "Nguyễn Trãi", "tr-02": "Giải Phóng", "tr-03": "Láng", "tr-04": "Trần Duy Hưng",
            "tr-05": "Kim Mã", "tr-06": "Xuân Thủy", "tr-07": "Lê Duẩn", "tr-08": "Phạm Văn Đồng"}
texts = [
  ("Cháy nhà dân trong hẻm, khói đen bốc lên", None), ("chay xe may truoc cong truong", None),
  ("Nước chảy tràn ra đường sau mưa", None), ("Đường ngập sâu, xe chết máy", None),
  ("duong ngap nang, tac cong", None), ("Ổ gà lớn giữa đường gây nguy hiểm", None),
  ("o ga sau tren duong Lang", None), ("Pothole near the bus stop", None),
  ("Đèn đường không sáng cả dãy phố", None), ("Street light out near the school gate", None),
  ("Rác thải đổ trộm ven hồ, mùi hôi", None), ("garbage piled on the sidewalk", None),
  ("Cây đổ chắn ngang đường", None), ("cay xanh bi gay canh", None),
  ("Lấn chiếm vỉa hè bán hàng", None), ("Tiếng ồn karaoke sau 22h", None),
  ("Đánh nhau trước quán nhậu", None), ("Kẹt xe kéo dài ở ngã tư", None),
  ("Tai nạn giao thông, 2 xe máy va chạm", None), ("Có người hỏi thủ tục cấp giấy phép", None),
  ("Hệ thống thoát nước bị hỏng", None), ("Noise from construction at night", None),
  (None, "sanitation"), ("Xây dựng trái phép trên đất công", None), ("CHÁY LỚN Ở CHỢ", None),
]
rid = 0; open_reports = []
sensors_q = ["cam-hk-01", "cam-bd-02", "cam-dd-03", "cam-cg-04", "alarm-hbt-05"]
dossiers = []; did = 0
agencies = ["Sở Tư pháp", "Sở Xây dựng", "Sở Tài nguyên và Môi trường", "UBND quận Đống Đa"]
for minute in range(0, 40):
    # traffic: each sensor every minute; tr-03 jams from minute 12 to 18; tr-08 goes silent after minute 9
    for sid, seg in segments.items():
        if sid == "tr-08" and 9 < minute < 33: continue
        base = {"tr-01": 38, "tr-02": 28, "tr-03": 30, "tr-04": 45, "tr-05": 33, "tr-06": 26, "tr-07": 50, "tr-08": 42}[sid]
        rush = 12 if 10 <= minute <= 25 else 0
        speed = max(3.0, base - rush + random.uniform(-6, 6))
        if sid == "tr-03" and 12 <= minute <= 18: speed = random.uniform(4, 9)
        emit({"kind": "traffic", "ts": ts(minute, random.randint(0, 59)), "sensor": sid, "segment": seg,
              "vehicles": random.randint(8, 60), "speed_kmh": round(speed, 1),
              "occupancy": round(random.uniform(0.1, 0.9), 2), "district": random.choice(districts)})
    # field reports
    for _ in range(random.choice([0, 1, 1, 2])):
        rid += 1; text, cat = random.choice(texts)
        o = {"kind": "field_report", "ts": ts(minute, random.randint(0, 59)), "id": f"PA-2026-{rid:04d}", "status": "new",
             "district": random.choice(districts), "channel": random.choice(["app", "hotline", "zalo", "web"])}
        if text: o["text"] = text
        if cat: o["category"] = cat
        if random.random() < 0.5: o["lat"] = round(21.0 + random.uniform(0, 0.06), 5); o["lon"] = round(105.8 + random.uniform(0, 0.06), 5)
        if random.random() < 0.3: o["photos"] = random.randint(1, 4)
        emit(o); open_reports.append((o["id"], minute))
    for (r, m0) in list(open_reports):
        if minute - m0 == 3 and random.random() < 0.7:
            emit({"kind": "field_report", "ts": ts(minute, random.randint(0, 59)), "id": r, "status": "assigned", "agency": "ward"})
        if minute - m0 >= 5 and random.random() < 0.15:
            emit({"kind": "field_report", "ts": ts(minute, random.randint(0, 59)), "id": r,
                  "status": "resolved" if random.random() < 0.85 else "rejected"}); open_reports.remove((r, m0))
    # security: burst in Đống Đa at minute 21
    n = 6 if minute == 21 else random.choice([0, 0, 1])
    for i in range(n):
        typ = random.choice(["intrusion", "loitering", "crowd", "fight", "tamper"]) if minute != 21 else random.choice(["fight", "crowd", "intrusion"])
        emit({"kind": "security", "ts": ts(minute, random.randint(0, 59)), "sensor": random.choice(sensors_q) if minute != 21 else "cam-dd-03",
              "type": typ, "severity": 3 if minute == 21 else random.randint(1, 5),
              "district": "Đống Đa" if minute == 21 else random.choice(districts)})
    if minute == 30:
        emit({"kind": "security", "ts": ts(minute, 5), "sensor": "smoke-bd-09", "type": "smoke", "severity": 2, "district": "Ba Đình"})
    # services
    for _ in range(random.choice([0, 1, 2])):
        did += 1; d = f"HS-{did:05d}"
        due_min = minute + random.choice([5, 10, 20, 90])
        emit({"kind": "service", "ts": ts(minute, random.randint(0, 59)), "dossier": d, "event": "received",
              "agency": random.choice(agencies), "procedure": random.choice(["cấp bản sao", "đăng ký kinh doanh", "cấp phép xây dựng"]),
              "channel": random.choice(["online", "online", "counter", "post"]), "due": ts(due_min % 60 if due_min < 60 else 59, 0) if due_min < 100 else None})
        dossiers.append((d, minute))
    for (d, m0) in list(dossiers):
        if minute - m0 >= 4 and random.random() < 0.2:
            emit({"kind": "service", "ts": ts(minute, random.randint(0, 59)), "dossier": d,
                  "event": "resolved" if random.random() < 0.85 else "returned"}); dossiers.remove((d, m0))
    # metrics: portal response time every 10s, slow around minute 15-16; uptime each minute
    for s in range(0, 60, 10):
        v = random.uniform(120, 600) if not (15 <= minute <= 16) else random.uniform(1500, 4200)
        emit({"kind": "metric", "ts": ts(minute, s, utc=True), "name": "portal.response_ms", "value": round(v, 1), "system": "dichvucong", "unit": "ms"})
    emit({"kind": "metric", "ts": ts(minute, 30, utc=True), "name": "portal.up", "value": 0 if minute in (16,) else 1, "system": "dichvucong"})
# Shuffle mildly: sort by ts with jitter so arrival is a little out of order.
def key(line):
    o = json.loads(line); return o["ts"]
from datetime import datetime
def epoch(line):
    return datetime.fromisoformat(json.loads(line)["ts"].replace("Z", "+00:00")).timestamp()
lines = sorted(out, key=lambda l: epoch(l) + random.uniform(0, 8))
# A few late events (several minutes old), duplicates and bad lines.
late = [
  json.dumps({"kind":"traffic","ts":ts(3,15),"sensor":"tr-05","segment":"Kim Mã","vehicles":12,"speed_kmh":31.5}, ensure_ascii=False, separators=(",",":")),
  json.dumps({"kind":"field_report","ts":ts(6,40),"id":"PA-2026-0001","status":"resolved"}, ensure_ascii=False, separators=(",",":")),
]
lines.insert(len(lines)//2, late[0]); lines.insert(len(lines)*3//4, late[1])
dups = [l for l in lines if '"status":"new"' in l][:2]
lines.insert(len(lines)//3, dups[0]); lines.insert(len(lines)//2 + 5, dups[1])
bad = [
  '{"kind":"traffic","ts":"2026-11-22T07:20:00+07:00","sensor":"tr-01","vehicles":-3,"speed_kmh":20}',
  '{"kind":"traffic","ts":"2026-11-22T07:20:00+07:00","sensor":"tr-01","vehicles":3,"speed_kmh":420}',
  '{"kind":"field_report","ts":"2026-02-30T07:21:00+07:00","id":"PA-X","status":"new","text":"cháy"}',
  '{"kind":"weather","ts":"2026-11-22T07:22:00+07:00","temp_c":24}',
  '{"kind":"service","ts":"2026-11-22T07:23:00+07:00","dossier":"HS-X","event":"received"}',
  '{"kind":"metric","ts":"2026-11-22T07:24:00+07:00","name":"portal.up","value":"1"}',
  '{"kind":"security","ts":"2026-11-22T07:25:00+07:00","sensor":"cam-x","type":"intrusion","severity":9}',
  '{"kind":"traffic","ts":"2026-11-22T07:26:00+07:00","sensor":"tr-02","vehicles":10,"speed_kmh":30,}',
  '["not","an","object"]',
  '{"kind":"field_report","ts":"2026-11-22 07:27:00","id":"PA-Y","status":"new","text":"rác"}',
]
for i, b in enumerate(bad):
    lines.insert(100 + i * 60, b)
lines.insert(200, "")
open(__import__("os").path.join(__import__("os").path.dirname(__import__("os").path.abspath(__file__)), "..", "city-morning.ndjson"), "w").write("\n".join(lines) + "\n")
print(len(lines))
