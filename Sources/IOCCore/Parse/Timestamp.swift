/// RFC 3339 date-time parsing and formatting on raw UTF-8 bytes, as nanoseconds since the Unix epoch (UTC).
///
/// Accepted grammar (strict): `YYYY-MM-DDTHH:MM:SS[.F{1,9}](Z|±HH:MM)` with `T`/`t` and `Z`/`z`, exactly those
/// digit counts, calendar-checked dates (proleptic Gregorian leap years), hour 0–23, minute 0–59, second 0–59
/// (leap second 60 and hour 24 are rejected) and offsets up to ±23:59. Optionally (`allowCompactOffset`) the offset
/// may be written `±HHMM`, as Suricata does; a bare `±HH` is never accepted. Results must fit `Int64` nanoseconds
/// (roughly 1677-09-21 through 2262-04-11); `Int64.min` itself, 1677-09-21T00:12:43.145224192Z, is left out, as
/// it marks an absent time (`Event.due`, a report's `new`).
public enum Timestamp {
    static let nanosPerSecond: Int64 = 1_000_000_000

    /// Nanoseconds since the Unix epoch (UTC) of an RFC 3339 date-time, or nil when malformed or impossible.
    ///
    /// The whole buffer must be the date-time: leading or trailing bytes (including whitespace) make it malformed.
    /// - Parameters:
    ///   - bytes: UTF-8 bytes of the date-time.
    ///   - allowCompactOffset: also accept a `±HHMM` offset (no colon).
    /// - Complexity: O(n) in the byte count (n ≤ 35 for anything valid); does not allocate.
    public static func parse(_ bytes: UnsafeRawBufferPointer, allowCompactOffset: Bool = false) -> Int64? {
        var cache = TimestampCache()
        return parse(bytes, allowCompactOffset: allowCompactOffset, cache: &cache)
    }

    /// `parse(_:allowCompactOffset:)` that remembers the last valid minute and offset in `cache`: a feed's
    /// consecutive date-times mostly share them, and then only the seconds, the fraction and the offset's text
    /// are read. Results are the same with any cache.
    ///
    /// - Complexity: O(n) in the byte count; does not allocate.
    public static func parse(
        _ bytes: UnsafeRawBufferPointer, allowCompactOffset: Bool = false, cache: inout TimestampCache
    ) -> Int64? {
        let n = bytes.count
        // Shortest valid form: "YYYY-MM-DDTHH:MM:SSZ" (20 bytes).
        guard n >= 20, let p = bytes.baseAddress else { return nil }
        @inline(__always) func byte(_ i: Int) -> UInt8 { p.load(fromByteOffset: i, as: UInt8.self) }

        // The fixed head "YYYY-MM-DDTHH:MM:SS" as three little-endian words (byte k of a word is its lane k):
        // "YYYY-MM-", "DDTHH:MM" and, overlapping, "HH:MM:SS" from byte 11.
        let w0 = UInt64(littleEndian: p.loadUnaligned(as: UInt64.self))
        let w1 = UInt64(littleEndian: p.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        let w2 = UInt64(littleEndian: p.loadUnaligned(fromByteOffset: 11, as: UInt64.self))
        @inline(__always) func digit(_ w: UInt64, _ lane: UInt64) -> Int64 { Int64((w >> (lane &* 8)) & 0x0F) }
        // ':' in lane 5 and digits in lanes 6 and 7: the ":SS" after the minute.
        guard w2 & 0x0000_FF00_0000_0000 == 0x0000_3A00_0000_0000, allDigits(w2, lanes: 0xFFFF_0000_0000_0000)
        else { return nil }
        let second = digit(w2, 6) * 10 + digit(w2, 7)
        guard second <= 59 else { return nil }

        // Seconds since the epoch of the minute, in local time. Feeds mix date-times written in UTC (`Z`) with
        // ones written with an offset, so each form keeps its own last minute.
        let utc = byte(n - 1) | 0x20 == 0x7A  // "Z" / "z"
        let remembered = utc ? cache.utcMinute : cache.offsetMinute
        let minuteSeconds: Int64
        if remembered.isSet && w0 == remembered.head0 && w1 == remembered.head1 {
            minuteSeconds = remembered.seconds
        } else {
            guard w0 & 0xFF00_00FF_0000_0000 == 0x2D00_002D_0000_0000,  // '-' in lanes 4 and 7
                w1 & 0x0000_0000_00DF_0000 == 0x0000_0000_0054_0000,  // 'T' or 't' in lane 2
                w2 & 0x0000_0000_00FF_0000 == 0x0000_0000_003A_0000,  // ':' in lane 2
                allDigits(w0, lanes: 0x00FF_FF00_FFFF_FFFF),
                allDigits(w1, lanes: 0xFFFF_00FF_FF00_FFFF)
            else { return nil }
            let year = digit(w0, 0) * 1000 + digit(w0, 1) * 100 + digit(w0, 2) * 10 + digit(w0, 3)
            let month = digit(w0, 5) * 10 + digit(w0, 6)
            let day = digit(w1, 0) * 10 + digit(w1, 1)
            let hour = digit(w1, 3) * 10 + digit(w1, 4)
            let minute = digit(w1, 6) * 10 + digit(w1, 7)
            guard month >= 1, month <= 12, day >= 1, day <= daysInMonth(year: year, month: month),
                hour <= 23, minute <= 59
            else { return nil }
            // Years 0000–9999 keep this far inside Int64.
            minuteSeconds = daysFromCivil(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60
            let entry = TimestampCache.Minute(head0: w0, head1: w1, seconds: minuteSeconds, isSet: true)
            if utc { cache.utcMinute = entry } else { cache.offsetMinute = entry }
        }

        var i = 19
        var fraction: Int64 = 0
        if byte(i) == 0x2E {  // "."
            i += 1
            let start = i
            while i < n {
                let d = byte(i) &- 0x30
                guard d < 10 else { break }
                guard i - start < 9 else { return nil }  // a tenth digit
                fraction = fraction &* 10 &+ Int64(d)
                i += 1
            }
            let count = i - start
            guard count >= 1 else { return nil }
            fraction &*= pow10[9 - count]
        }

        guard i < n else { return nil }  // missing offset
        var offsetSeconds: Int64 = 0
        let z = byte(i)
        let remaining = n - i - 1
        if z == 0x5A || z == 0x7A {  // "Z" / "z"
            guard remaining == 0 else { return nil }
        } else if remaining == 5 {
            // "±HH:MM", its six bytes as one word.
            let text =
                UInt64(UInt32(littleEndian: p.loadUnaligned(fromByteOffset: i, as: UInt32.self)))
                | UInt64(UInt16(littleEndian: p.loadUnaligned(fromByteOffset: i + 4, as: UInt16.self))) << 32
            if cache.hasOffset && text == cache.offsetText {
                offsetSeconds = cache.offsetSeconds
            } else {
                guard z == 0x2B || z == 0x2D, byte(i + 3) == 0x3A,  // "+" / "-", ":"
                    let h = digits(p, i + 1, 2), let m = digits(p, i + 4, 2), h <= 23, m <= 59
                else { return nil }
                offsetSeconds = z == 0x2D ? -(h * 3600 + m * 60) : h * 3600 + m * 60
                (cache.offsetText, cache.offsetSeconds, cache.hasOffset) = (text, offsetSeconds, true)
            }
        } else if remaining == 4, allowCompactOffset, z == 0x2B || z == 0x2D {  // "±HHMM"
            guard let h = digits(p, i + 1, 2), let m = digits(p, i + 3, 2), h <= 23, m <= 59 else { return nil }
            offsetSeconds = z == 0x2D ? -(h * 3600 + m * 60) : h * 3600 + m * 60
        } else {
            return nil
        }

        // Local time = UTC + offset, so UTC = local - offset.
        let seconds = minuteSeconds + second - offsetSeconds
        // Build seconds * 1e9 + fraction without an intermediate overflow near Int64.min:
        // for negative seconds with a fraction, use (seconds + 1) * 1e9 - (1e9 - fraction).
        var whole = seconds
        var frac = fraction
        if whole < 0 && frac > 0 {
            whole += 1
            frac -= nanosPerSecond
        }
        let (scaled, overflow1) = whole.multipliedReportingOverflow(by: nanosPerSecond)
        guard !overflow1 else { return nil }
        let (total, overflow2) = scaled.addingReportingOverflow(frac)
        guard !overflow2, total != .min else { return nil }
        return total
    }

    /// Appends `ns` as RFC 3339 in UTC with `Z`, e.g. `2026-11-22T03:00:00Z` or `2026-11-22T03:00:00.500Z`.
    ///
    /// A non-zero fraction is written with 3, 6 or 9 digits, the fewest of those that are exact
    /// (`.500Z`, `.000001Z`, `.123456789Z`). Every `Int64` value is representable (years 1677–2262).
    /// - Complexity: O(1); does not allocate once `out` has capacity for the ≤ 30 appended bytes.
    public static func format(_ ns: Int64, into out: inout [UInt8]) {
        var seconds = ns / nanosPerSecond
        var fraction = ns % nanosPerSecond
        if fraction < 0 {
            seconds -= 1
            fraction += nanosPerSecond
        }
        var days = seconds / 86_400
        var secondOfDay = seconds % 86_400
        if secondOfDay < 0 {
            days -= 1
            secondOfDay += 86_400
        }
        let (year, month, day) = civilFromDays(days)
        append4(year, into: &out)
        out.append(0x2D)
        append2(month, into: &out)
        out.append(0x2D)
        append2(day, into: &out)
        out.append(0x54)
        append2(secondOfDay / 3600, into: &out)
        out.append(0x3A)
        append2(secondOfDay / 60 % 60, into: &out)
        out.append(0x3A)
        append2(secondOfDay % 60, into: &out)
        if fraction != 0 {
            out.append(0x2E)
            var value = fraction
            var width = 9
            if fraction % 1_000_000 == 0 {
                value = fraction / 1_000_000
                width = 3
            } else if fraction % 1000 == 0 {
                value = fraction / 1000
                width = 6
            }
            var divisor = pow10[width - 1]
            while divisor > 0 {
                out.append(UInt8(truncatingIfNeeded: value / divisor % 10) &+ 0x30)
                divisor /= 10
            }
        }
        out.append(0x5A)
    }

    /// RFC 3339 text of `ns` in UTC, as written by ``format(_:into:)``.
    /// - Complexity: O(1); allocates the returned string (convenience for logs and tests, not the hot path).
    public static func string(_ ns: Int64) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(32)
        format(ns, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    // MARK: - Calendar

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
    /// - Complexity: O(1); does not allocate.
    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        if year >= 1970 && year <= 2099 {
            // Every fourth year is a leap year in 1970–2099 (2000 included): count them instead of dividing by
            // eras. (367m - 362) / 12 is the days before month m in a year whose February has 30 days.
            let y = year - 1970
            let february: Int64 = month <= 2 ? 0 : year & 3 == 0 ? 1 : 2
            return 365 * y + (y + 1) / 4 + (367 * month - 362) / 12 - february + day - 1
        }
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400  // [0, 399]
        let doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1  // [0, 365]
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy  // [0, 146096]
        return era * 146_097 + doe - 719_468
    }

    /// Proleptic Gregorian (year, month, day) of a day count since 1970-01-01 (Hinnant's `civil_from_days`).
    /// - Complexity: O(1); does not allocate.
    static func civilFromDays(_ days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097  // [0, 146096]
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365  // [0, 399]
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)  // [0, 365]
        let mp = (5 * doy + 2) / 153  // [0, 11]
        let day = doy - (153 * mp + 2) / 5 + 1  // [1, 31]
        let month = mp < 10 ? mp + 3 : mp - 9  // [1, 12]
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// Number of days in `month` (1–12) of `year` under the Gregorian leap-year rule.
    /// - Complexity: O(1); does not allocate.
    static func daysInMonth(year: Int64, month: Int64) -> Int64 {
        switch month {
        case 2:
            let leap = year & 3 == 0 && (year % 100 != 0 || year % 400 == 0)
            return leap ? 29 : 28
        case 4, 6, 9, 11:
            return 30
        default:
            return 31
        }
    }

    // MARK: - Digits

    static let pow10: [Int64] = [
        1, 10, 100, 1000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000,
    ]

    /// Value of exactly `count` ASCII digits at `start`, or nil when any is not a digit (caller checks bounds).
    @inline(__always)
    static func digits(_ p: UnsafeRawPointer, _ start: Int, _ count: Int) -> Int64? {
        var value: Int64 = 0
        for i in start..<(start + count) {
            let d = p.load(fromByteOffset: i, as: UInt8.self) &- 0x30
            guard d < 10 else { return nil }
            value = value * 10 + Int64(d)
        }
        return value
    }

    /// Whether every byte of `w` selected by `lanes` (0xFF per selected byte) is an ASCII digit: its high nibble
    /// is 3 and adding 6 to its low nibble does not carry (a lane with high nibble 3 cannot carry into the next).
    @inline(__always)
    static func allDigits(_ w: UInt64, lanes: UInt64) -> Bool {
        let high = lanes & 0xF0F0_F0F0_F0F0_F0F0
        let threes = lanes & 0x3030_3030_3030_3030
        return w & high == threes && (w &+ (lanes & 0x0606_0606_0606_0606)) & high == threes
    }

    @inline(__always)
    static func append2(_ value: Int64, into out: inout [UInt8]) {
        out.append(UInt8(truncatingIfNeeded: value / 10) &+ 0x30)
        out.append(UInt8(truncatingIfNeeded: value % 10) &+ 0x30)
    }

    @inline(__always)
    static func append4(_ value: Int64, into out: inout [UInt8]) {
        append2(value / 100, into: &out)
        append2(value % 100, into: &out)
    }
}

/// What `Timestamp.parse(_:allowCompactOffset:cache:)` remembers between calls: the head of the last valid
/// date-time up to its minute, and the last valid `±HH:MM` offset, each with its value. A fresh cache matches
/// nothing.
public struct TimestampCache: Sendable {
    /// A minute: bytes 0–7 and 8–15 ("YYYY-MM-", "DDTHH:MM") as little-endian words, and its seconds since the
    /// epoch in local time.
    struct Minute: Sendable {
        var head0: UInt64 = 0
        var head1: UInt64 = 0
        var seconds: Int64 = 0
        var isSet = false
    }

    /// The last minute of a date-time written in UTC (`Z`), and of one written with an offset.
    var utcMinute = Minute()
    var offsetMinute = Minute()
    /// The six bytes of "±HH:MM" as a little-endian word, and the offset in seconds (east positive).
    var offsetText: UInt64 = 0
    var offsetSeconds: Int64 = 0
    var hasOffset = false

    public init() {}
}
