import IOCTestSupport
import Testing

@testable import IOCCore

private func parse(_ text: String, compact: Bool = false) -> Int64? {
    var copy = text
    return copy.withUTF8 { Timestamp.parse(UnsafeRawBufferPointer($0), allowCompactOffset: compact) }
}

private let second: Int64 = 1_000_000_000

@Suite("Timestamp")
struct TimestampTests {
    static let valid: [(String, Int64)] = [
        ("1970-01-01T00:00:00Z", 0),
        ("1970-01-01T00:00:00+00:00", 0),
        ("1970-01-01T00:00:00-00:00", 0),
        ("1970-01-01T07:00:00+07:00", 0),
        ("2026-11-22T03:00:00Z", 1_795_316_400 * second),
        ("2026-11-22T10:00:00+07:00", 1_795_316_400 * second),
        ("2026-11-21T22:00:00-05:00", 1_795_316_400 * second),
        ("2026-11-22T08:30:00+05:30", 1_795_316_400 * second),
        ("2026-11-22t03:00:00z", 1_795_316_400 * second),
        ("2026-11-22t03:00:00Z", 1_795_316_400 * second),
        ("2026-11-22T03:00:00z", 1_795_316_400 * second),
        ("2026-11-22T03:00:00.5Z", 1_795_316_400 * second + 500_000_000),
        ("2026-11-22T03:00:00.12Z", 1_795_316_400 * second + 120_000_000),
        ("2026-11-22T03:00:00.123Z", 1_795_316_400 * second + 123_000_000),
        ("2026-11-22T03:00:00.1234Z", 1_795_316_400 * second + 123_400_000),
        ("2026-11-22T03:00:00.12345Z", 1_795_316_400 * second + 123_450_000),
        ("2026-11-22T03:00:00.123456Z", 1_795_316_400 * second + 123_456_000),
        ("2026-11-22T03:00:00.1234567Z", 1_795_316_400 * second + 123_456_700),
        ("2026-11-22T03:00:00.12345678Z", 1_795_316_400 * second + 123_456_780),
        ("2026-11-22T03:00:00.123456789Z", 1_795_316_400 * second + 123_456_789),
        ("2026-11-22T03:00:00.000000001Z", 1_795_316_400 * second + 1),
        ("2026-11-22T10:00:00.250+07:00", 1_795_316_400 * second + 250_000_000),
        ("2000-01-01T00:00:00Z", 946_684_800 * second),
        ("2024-02-29T12:34:56Z", 1_709_210_096 * second),
        ("2000-02-29T00:00:00Z", 951_782_400 * second),
        ("1969-12-31T23:59:59Z", -1 * second),
        ("1969-12-31T23:59:59.999999999Z", -1),
        ("1969-07-20T20:17:40Z", -14_182_940 * second),
        ("1900-01-01T00:00:00Z", -2_208_988_800 * second),
        ("2099-12-31T23:59:59Z", 4_102_444_799 * second),
        ("2099-12-31T23:59:59+23:59", (4_102_444_799 - 86_340) * second),
        ("2262-04-11T23:47:16.854775807Z", Int64.max),
        ("1677-09-21T00:12:43.145224193Z", Int64.min + 1),
    ]

    @Test("valid date-times", arguments: valid)
    func validInputs(text: String, expected: Int64) {
        #expect(parse(text) == expected, "\(text)")
        #expect(parse(text, compact: true) == expected, "\(text) with compact offsets allowed")
    }

    static let invalid: [String] = [
        "",
        "2026",
        "2026-11-22",
        "2026-11-22T03:00:00",  // missing offset
        "2026-02-30T00:00:00Z",
        "2023-02-29T00:00:00Z",
        "1900-02-29T00:00:00Z",
        "2026-04-31T00:00:00Z",
        "2026-11-22T24:00:00Z",
        "2026-11-22T23:60:00Z",
        "2026-12-31T23:59:60Z",  // leap second
        "2026-13-01T00:00:00Z",
        "2026-00-01T00:00:00Z",
        "2026-01-00T00:00:00Z",
        "2026-01-32T00:00:00Z",
        "2026-11-22T03:00:00+0700",  // compact offset without the flag
        "2026-11-22T03:00:00+07",
        "2026-11-22T03:00:00+7:00",
        "2026-11-22T03:00:00+07:0",
        "2026-11-22T03:00:00+24:00",
        "2026-11-22T03:00:00+07:60",
        "2026-11-22T03:00:00.1234567890Z",  // 10 fraction digits
        "2026-11-22T03:00:00.Z",
        "2026-11-22T03:00:00,5Z",
        "2026-11-22 03:00:00Z",
        "2026-11-22X03:00:00Z",
        "2026-11-22T03:00:00Zjunk",
        "2026-11-22T03:00:00Z ",
        " 2026-11-22T03:00:00Z",
        "2026-11-22T03:00:00+07:00x",
        "2026/11/22T03:00:00Z",
        "26-11-22T03:00:00Z",
        "2026-1-22T03:00:00Z",
        "2026-11-22T3:00:00Z",
        "2026-11-22T03:00:00UTC",
        "+2026-11-22T03:00:00Z",
        "2026-11-2aT03:00:00Z",
        "2262-04-11T23:47:16.854775808Z",  // one past Int64.max
        "1677-09-21T00:12:43.145224191Z",  // one before Int64.min
        "1677-09-21T00:12:43.145224192Z",  // Int64.min, which marks an absent time
        "9999-12-31T23:59:59Z",
        "0000-01-01T00:00:00Z",
    ]

    @Test("malformed or impossible date-times", arguments: invalid)
    func invalidInputs(text: String) {
        #expect(parse(text) == nil, "\(text)")
    }

    @Test("compact ±HHMM offsets only with the flag")
    func compactOffset() {
        let expected = 1_795_316_400 * second
        #expect(parse("2026-11-22T10:00:00+0700", compact: true) == expected)
        #expect(parse("2026-11-21T22:00:00-0500", compact: true) == expected)
        #expect(parse("2026-11-21T22:00:00.000000-0500", compact: true) == expected)
        #expect(parse("2026-11-22T10:00:00+0700") == nil)
        #expect(parse("2026-11-22T10:00:00+07", compact: true) == nil)
        #expect(parse("2026-11-22T10:00:00+070", compact: true) == nil)
        #expect(parse("2026-11-22T10:00:00+07000", compact: true) == nil)
        #expect(parse("2026-11-22T10:00:00+2400", compact: true) == nil)
        #expect(parse("2026-11-22T10:00:00+0760", compact: true) == nil)
        #expect(parse("2026-11-22T10:00:00+07:00", compact: true) == expected)
    }

    @Test("format writes UTC with the fewest exact fraction digits")
    func formatting() {
        let base = 1_795_316_400 * second
        #expect(Timestamp.string(base) == "2026-11-22T03:00:00Z")
        #expect(Timestamp.string(base + 500_000_000) == "2026-11-22T03:00:00.500Z")
        #expect(Timestamp.string(base + 1000) == "2026-11-22T03:00:00.000001Z")
        #expect(Timestamp.string(base + 120_000) == "2026-11-22T03:00:00.000120Z")
        #expect(Timestamp.string(base + 1) == "2026-11-22T03:00:00.000000001Z")
        #expect(Timestamp.string(base + 123_456_789) == "2026-11-22T03:00:00.123456789Z")
        #expect(Timestamp.string(0) == "1970-01-01T00:00:00Z")
        #expect(Timestamp.string(-1) == "1969-12-31T23:59:59.999999999Z")
        #expect(Timestamp.string(-500_000_000) == "1969-12-31T23:59:59.500Z")
        #expect(Timestamp.string(Int64.max) == "2262-04-11T23:47:16.854775807Z")
        #expect(Timestamp.string(Int64.min) == "1677-09-21T00:12:43.145224192Z")
        var out: [UInt8] = [0x41]
        Timestamp.format(0, into: &out)
        #expect(String(decoding: out, as: UTF8.self) == "A1970-01-01T00:00:00Z")
    }

    @Test("format(parse(x)) == x for canonical UTC inputs")
    func roundTrip() {
        let inputs = [
            "1970-01-01T00:00:00Z", "2026-11-22T03:00:00Z", "2026-11-22T03:00:00.500Z", "2026-11-22T03:00:00.000001Z",
            "2024-02-29T23:59:59.999999999Z", "2000-02-29T12:00:00.120Z", "1969-12-31T23:59:59.999Z",
            "1900-01-01T00:00:00Z", "2262-04-11T23:47:16.854775807Z", "1677-09-21T00:12:43.145224193Z",
        ]
        for text in inputs {
            let ns = parse(text)
            #expect(ns != nil, "\(text)")
            if let ns { #expect(Timestamp.string(ns) == text) }
        }
    }

    @Test("Hinnant day conversions agree with each other over ±800 years")
    func civilRoundTrip() {
        var day: Int64 = -300_000
        while day <= 300_000 {
            let (y, m, d) = Timestamp.civilFromDays(day)
            #expect(Timestamp.daysFromCivil(year: y, month: m, day: d) == day)
            day += 37
        }
    }

    @Test("Every day of 1969–2100 round-trips (the counting fast path for 1970–2099 and its edges)")
    func everyDayAroundTheFastPath() {
        var mismatches: [Int64] = []
        for day in Int64(-365)...Int64(47_846) {  // 1969-01-01 ... 2100-12-31
            let (y, m, d) = Timestamp.civilFromDays(day)
            if Timestamp.daysFromCivil(year: y, month: m, day: d) != day { mismatches.append(day) }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
        #expect(parse("2000-02-29T00:00:00Z") != nil)
        #expect(parse("2100-02-29T00:00:00Z") == nil)
        #expect(parse("2096-02-29T12:00:00+07:00") != nil)
    }

    @Test("Any byte but a digit at any digit position, or any other separator, is rejected")
    func everyByteAtEveryPosition() {
        let good = Array("2026-12-01T13:05:35.250+07:00".utf8)
        let digitPositions = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18, 20, 21, 22, 24, 25, 27, 28]
        var accepted: [String] = []
        for position in 0..<good.count {
            for b in UInt8(0)...UInt8(255) where b != good[position] {
                var bytes = good
                bytes[position] = b
                let isDigit = b >= 0x30 && b <= 0x39
                let sameMeaning = (position == 10 && b == 0x74)  // 't' for 'T'
                let stillValid = sameMeaning || (digitPositions.contains(position) && isDigit)
                if stillValid { continue }
                let parsed = bytes.withUnsafeBytes { Timestamp.parse($0) }
                if parsed != nil { accepted.append("\(position):\(b)") }
            }
        }
        // A digit swapped for another digit may still be a valid time; every other change must be refused, except
        // the offset sign ('+' for '-').
        #expect(accepted == ["23:45"], "\(accepted.prefix(8))")
    }

    @Test("A cache of the last minute and offset never changes a result")
    func cacheGivesTheSameResults() {
        func cached(_ bytes: [UInt8], _ cache: inout TimestampCache, compact: Bool = false) -> Int64? {
            bytes.withUnsafeBytes { Timestamp.parse($0, allowCompactOffset: compact, cache: &cache) }
        }
        func fresh(_ bytes: [UInt8], compact: Bool = false) -> Int64? {
            bytes.withUnsafeBytes { Timestamp.parse($0, allowCompactOffset: compact) }
        }
        // Every listed input, in order through one cache, then again the other way round.
        var cache = TimestampCache()
        let texts = Self.valid.map(\.0) + Self.invalid
        var differing: [String] = []
        for text in texts + texts.reversed() {
            let bytes = Array(text.utf8)
            for compact in [false, true] where cached(bytes, &cache, compact: compact) != fresh(bytes, compact: compact)
            {
                differing.append(text)
            }
        }
        // Every byte of a date-time changed to every other value, each time right after the original, so the
        // cache holds the original's minute and offset.
        let good = Array("2026-12-01T13:05:35.250+07:00".utf8)
        for position in good.indices {
            for b in UInt8(0)...UInt8(255) where b != good[position] {
                var bytes = good
                bytes[position] = b
                _ = cached(good, &cache)
                if cached(bytes, &cache) != fresh(bytes) { differing.append("\(position):\(b)") }
            }
        }
        #expect(differing.isEmpty, "\(differing.prefix(8))")
        // Zero bytes (from `\u0000` escapes) never match a fresh cache.
        var empty = TimestampCache()
        #expect(cached(Array(repeating: 0, count: 16) + Array(":00Z".utf8), &empty) == nil)
        #expect(cached(Array("2026-12-01T13:05:35".utf8) + [0, 0, 0, 0, 0, 0], &empty) == nil)
        // A UTC date-time between two with an offset: each form keeps its own minute.
        var mixed = TimestampCache()
        let local = Array("2026-12-01T13:05:35+07:00".utf8)
        let utc = Array("2026-12-01T06:05:36.5Z".utf8)
        #expect(cached(local, &mixed) == fresh(local))
        #expect(cached(utc, &mixed) == fresh(utc))
        #expect(mixed.utcMinute.isSet && mixed.offsetMinute.isSet)
        #expect(mixed.offsetMinute.head0 != 0 && mixed.utcMinute.head1 != mixed.offsetMinute.head1)
        #expect(cached(local, &mixed) == fresh(local))
        #expect(cached(utc, &mixed) == fresh(utc))
        // Consecutive seconds of one minute, and a new minute after it.
        var feed = TimestampCache()
        #expect(
            cached(Array("2026-12-01T13:05:35+07:00".utf8), &feed) == fresh(Array("2026-12-01T13:05:35+07:00".utf8)))
        #expect(
            cached(Array("2026-12-01T13:05:36+07:00".utf8), &feed) == fresh(Array("2026-12-01T13:05:35+07:00".utf8))!
                + second)
        #expect(cached(Array("2026-12-01T13:06:00-05:00".utf8), &feed) == fresh(Array("2026-12-01T18:06:00Z".utf8)))
    }

    @Test("10,000 random instants 1970–2100 agree with a year-by-year day count")
    func randomCrossCheck() {
        var rng = SplitMix64(seed: 0x10C_57BE_A11)
        let limit = UInt64(4_102_444_800) * UInt64(second)  // 2100-01-01T00:00:00Z
        var mismatches = 0
        for _ in 0..<10_000 {
            let ns = Int64(rng.next() % limit)
            let civil = NaiveCalendar.civil(ns)
            let expectedText = civil.text
            // Parse of an independently built string must give back ns (with a random offset applied).
            if parse(expectedText) != ns { mismatches += 1 }
            if Timestamp.string(ns) != expectedText { mismatches += 1 }
            // Also in +07:00 and -05:00, built independently by shifting the wall clock.
            let ict = NaiveCalendar.civil(ns + 7 * 3600 * second)
            if parse(ict.text(offset: "+07:00")) != ns { mismatches += 1 }
            let est = NaiveCalendar.civil(ns - 5 * 3600 * second)
            if parse(est.text(offset: "-0500"), compact: true) != ns { mismatches += 1 }
        }
        #expect(mismatches == 0)
    }
}

/// A deliberately simple calendar (walks years and months one at a time) for instants at or after 1970.
private enum NaiveCalendar {
    struct Civil {
        var year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, nanos: Int

        var text: String { text(offset: "Z") }

        func text(offset: String) -> String {
            var s = pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2)
            s += "T" + pad(hour, 2) + ":" + pad(minute, 2) + ":" + pad(second, 2)
            if nanos != 0 {
                var digits = pad(nanos, 9)
                while digits.count > 3 && digits.hasSuffix("000") { digits.removeLast(3) }
                s += "." + digits
            }
            return s + offset
        }

        private func pad(_ v: Int, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
    }

    static func isLeap(_ y: Int) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }

    static func civil(_ ns: Int64) -> Civil {
        precondition(ns >= 0)
        var secs = Int(ns / 1_000_000_000)
        let nanos = Int(ns % 1_000_000_000)
        var days = secs / 86_400
        secs %= 86_400
        var year = 1970
        while days >= (isLeap(year) ? 366 : 365) {
            days -= isLeap(year) ? 366 : 365
            year += 1
        }
        let lengths = [31, isLeap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        var month = 0
        while days >= lengths[month] {
            days -= lengths[month]
            month += 1
        }
        return Civil(
            year: year, month: month + 1, day: days + 1, hour: secs / 3600, minute: secs / 60 % 60,
            second: secs % 60, nanos: nanos)
    }
}
