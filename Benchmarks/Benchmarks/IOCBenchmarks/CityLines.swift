/// Realistic NDJSON input for the benchmarks: a city's morning feed, in the shapes of `samples/city-morning.ndjson`.
///
/// Deterministic (a fixed linear congruential generator, no `random()`), so every run measures the same bytes.
/// Events arrive about every 50 ms of city time with a few seconds of jitter (well inside the default 30 s
/// lateness), so a 1 MB block covers about five minutes, i.e. five closes of the default 60 s window.
///
/// Mix per 1000 lines: ~400 traffic, ~345 metric, ~130 field_report (new reports with Vietnamese, unaccented and
/// English text, then their `assigned`/`resolved`/`rejected` steps), ~80 service, ~40 security, and ~5 lines the
/// validator rejects (an unknown `weather` kind, a cut-off object), as a real feed has.
struct CityLines {
    /// City time of the next line, milliseconds after 2026-11-22T07:00:00+07:00.
    private(set) var clock: Int64
    private var seed: UInt64
    private var nextReport = 1
    private var nextDossier = 1
    /// A line that did not fit the last block: it starts the next one.
    private var pending: [UInt8]?

    init(startingAt clock: Int64 = 0, seed: UInt64 = 0x1F0C_2026) {
        self.clock = clock
        self.seed = seed
    }

    /// The next `count` lines, each without its `\n`.
    mutating func lines(_ count: Int) -> [[UInt8]] {
        (0..<count).map { _ in nextLine() }
    }

    /// Whole lines, each ending in `\n`, until adding one more would pass `byteCount`.
    mutating func block(byteCount: Int) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(byteCount)
        while true {
            let line = pending ?? nextLine()
            pending = nil
            guard out.count + line.count + 1 <= byteCount else {
                pending = line
                break
            }
            out += line
            out.append(0x0A)
        }
        return out
    }

    /// One line: advances the clock and picks a kind by the mix above.
    mutating func nextLine() -> [UInt8] {
        clock += Int64(20 + next(60))  // 20–79 ms: ~50 ms on average
        let roll = next(1000)
        let text: String
        switch roll {
        case 0..<400: text = traffic()
        case 400..<745: text = metric()
        case 745..<875: text = fieldReport()
        case 875..<955: text = service()
        case 955..<995: text = security()
        default: text = rejected()
        }
        return Array(text.utf8)
    }

    // MARK: - Kinds

    private static let districts = [
        "Hoàn Kiếm", "Ba Đình", "Đống Đa", "Hai Bà Trưng", "Cầu Giấy", "Thanh Xuân", "Tây Hồ", "Long Biên",
    ]
    private static let segments = [
        "Giải Phóng", "Lê Duẩn", "Trần Duy Hưng", "Nguyễn Trãi", "Láng", "Kim Mã", "Phạm Văn Đồng", "Xuân Thủy",
        "Nguyễn Chí Thanh", "Đại Cồ Việt", "Tôn Đức Thắng", "Hoàng Quốc Việt",
    ]
    private static let agencies = [
        "Sở Tài nguyên và Môi trường", "Sở Xây dựng", "UBND quận Đống Đa", "Sở Kế hoạch và Đầu tư", "Công an quận Ba Đình",
    ]
    private static let procedures = [
        "đăng ký kinh doanh", "cấp bản sao", "cấp phép xây dựng", "chứng thực chữ ký", "đăng ký tạm trú",
    ]
    private static let channels = ["app", "zalo", "web", "hotline"]
    private static let dossierChannels = ["counter", "online", "post"]
    private static let securityTypes = [
        "crowd", "tamper", "fight", "intrusion", "loitering", "camera_offline", "smoke", "ids_alert",
    ]
    private static let securitySensors = ["cam-dd-03", "cam-cg-04", "alarm-hbt-05", "cam-hk-01", "cam-tx-02", "ids-dc-01"]
    /// Report texts: accented Vietnamese, Vietnamese typed without accents, English, one with JSON escapes, and
    /// some that match no phrase (→ `other`).
    static let texts = [
        "Đèn đường không sáng cả dãy phố",
        "CHÁY LỚN Ở CHỢ",
        "Cháy nhà dân trong hẻm, khói đen bốc lên",
        "Cây đổ chắn ngang đường",
        "Lấn chiếm vỉa hè bán hàng",
        "Nước chảy tràn ra đường sau mưa",
        "Rác thải đổ trộm ven hồ, mùi hôi",
        "Tai nạn giao thông, 2 xe máy va chạm",
        "Tiếng ồn karaoke sau 22h",
        "Xây dựng trái phép trên đất công",
        "Đánh nhau trước quán nhậu",
        "Đường ngập sâu, xe chết máy",
        "Ổ gà lớn giữa đường gây nguy hiểm",
        "cay xanh bi gay canh",
        "duong ngap nang, tac cong",
        "o ga sau tren duong Lang",
        "chay xe may truoc cong truong",
        "Pothole near the bus stop",
        "Street light out near the school gate",
        "Noise from construction at night",
        #"Biển báo \"cấm đỗ\" bị che khuất\nđề nghị kiểm tra"#,
        "Người dân phản ánh thủ tục chậm",
    ]

    private mutating func traffic() -> String {
        let sensor = next(24)
        let segment = Self.segments[sensor % Self.segments.count]
        let district = Self.districts[sensor % Self.districts.count]
        let speed = 50 + next(600)  // tenths of km/h: 5.0–64.9
        let occupancy = 5 + next(90)  // hundredths: 0.05–0.94
        return #"{"kind":"traffic","ts":"\#(local(jittered()))","sensor":"tr-\#(pad(sensor + 1, 2))","#
            + #""segment":"\#(segment)","vehicles":\#(10 + next(60)),"speed_kmh":\#(tenths(speed)),"#
            + #""occupancy":\#(hundredths(occupancy)),"district":"\#(district)"}"#
    }

    private mutating func metric() -> String {
        let ts = utc(clock - clock % 1000)
        switch next(10) {
        case 0:
            return #"{"kind":"metric","ts":"\#(ts)","name":"portal.up","value":1,"system":"dichvucong"}"#
        case 1:
            return #"{"kind":"metric","ts":"\#(ts)","name":"queue.depth","value":\#(next(40)),"system":"motcua"}"#
        default:
            let ms = 1200 + next(4000)  // tenths of ms: 120.0–519.9
            return #"{"kind":"metric","ts":"\#(ts)","name":"portal.response_ms","value":\#(tenths(ms)),"#
                + #""system":"dichvucong","unit":"ms"}"#
        }
    }

    private mutating func fieldReport() -> String {
        let ts = local(jittered())
        let roll = next(10)
        if roll < 5 || nextReport < 20 {
            let id = nextReport
            nextReport += 1
            let district = Self.districts[next(Self.districts.count)]
            let channel = Self.channels[next(Self.channels.count)]
            let text = Self.texts[next(Self.texts.count)]
            var line = #"{"kind":"field_report","ts":"\#(ts)","id":"PA-2026-\#(pad(id, 5))","status":"new","#
                + #""district":"\#(district)","channel":"\#(channel)","text":"\#(text)""#
            if next(4) != 0 {
                line += #","lat":21.\#(pad(next(100_000), 5)),"lon":105.\#(pad(80_000 + next(10_000), 5))"#
            }
            if next(3) == 0 { line += #","photos":\#(1 + next(4))"# }
            return line + "}"
        }
        let id = pad(max(1, nextReport - 1 - next(15)), 5)
        switch roll {
        case 5, 6, 7:
            return #"{"kind":"field_report","ts":"\#(ts)","id":"PA-2026-\#(id)","status":"assigned","agency":"ward"}"#
        case 8:
            return #"{"kind":"field_report","ts":"\#(ts)","id":"PA-2026-\#(id)","status":"resolved"}"#
        default:
            return #"{"kind":"field_report","ts":"\#(ts)","id":"PA-2026-\#(id)","status":"rejected"}"#
        }
    }

    private mutating func service() -> String {
        let ts = local(jittered())
        if next(3) != 0 || nextDossier < 10 {
            let id = nextDossier
            nextDossier += 1
            let agency = Self.agencies[next(Self.agencies.count)]
            let procedure = Self.procedures[next(Self.procedures.count)]
            let channel = Self.dossierChannels[next(Self.dossierChannels.count)]
            let due = next(4) == 0 ? "null" : #""\#(local(clock + Int64(5 + next(20)) * 60_000))""#
            return #"{"kind":"service","ts":"\#(ts)","dossier":"HS-\#(pad(id, 5))","event":"received","#
                + #""agency":"\#(agency)","procedure":"\#(procedure)","channel":"\#(channel)","due":\#(due)}"#
        }
        let id = pad(max(1, nextDossier - 1 - next(8)), 5)
        let event = next(5) == 0 ? "returned" : "resolved"
        return #"{"kind":"service","ts":"\#(ts)","dossier":"HS-\#(id)","event":"\#(event)"}"#
    }

    private mutating func security() -> String {
        let sensor = Self.securitySensors[next(Self.securitySensors.count)]
        let type = Self.securityTypes[next(Self.securityTypes.count)]
        let district = Self.districts[next(Self.districts.count)]
        return #"{"kind":"security","ts":"\#(local(jittered()))","sensor":"\#(sensor)","type":"\#(type)","#
            + #""severity":\#(1 + next(5)),"district":"\#(district)"}"#
    }

    private mutating func rejected() -> String {
        if next(2) == 0 {
            return #"{"kind":"weather","ts":"\#(local(clock))","temp_c":24}"#
        }
        return #"{"kind":"traffic","ts":"\#(local(clock))","sensor":"tr-01","segment":"Láng","vehi"#
    }

    // MARK: - Helpers

    /// 0..<n from a 64-bit LCG (Knuth's MMIX constants), high bits.
    private mutating func next(_ n: Int) -> Int {
        seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Int((seed >> 33) % UInt64(n))
    }

    /// The clock with up to 3 s of reordering either way, as sensors that buffer do.
    private mutating func jittered() -> Int64 { max(0, clock + Int64(next(6001)) - 3000) }

    private func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    private func tenths(_ v: Int) -> String { "\(v / 10).\(v % 10)" }
    private func hundredths(_ v: Int) -> String { "\(v / 100).\(pad(v % 100, 2))" }

    /// 2026-11-22T07:00:00+07:00 (= 00:00:00Z), seconds since the Unix epoch.
    private static let origin: Int64 = 1_795_305_600

    /// RFC 3339 at +07:00 of a city time in milliseconds.
    private func local(_ ms: Int64) -> String { stamp(Self.origin + ms / 1000 + 7 * 3600, suffix: "+07:00") }

    /// RFC 3339 in UTC (`Z`), as the portal's metrics are written.
    private func utc(_ ms: Int64) -> String { stamp(Self.origin + ms / 1000, suffix: "Z") }

    private func stamp(_ seconds: Int64, suffix: String) -> String {
        let days = Int(seconds / 86_400)
        let rest = Int(seconds % 86_400)
        let (y, m, d) = Self.civil(fromDays: days)
        return "\(y)-\(pad(m, 2))-\(pad(d, 2))T\(pad(rest / 3600, 2)):\(pad(rest / 60 % 60, 2)):\(pad(rest % 60, 2))"
            + suffix
    }

    /// Proleptic Gregorian date of a day count since 1970-01-01 (H. Hinnant's `civil_from_days`).
    private static func civil(fromDays z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}
