import Testing

@testable import IOCCore

@Suite("DurationText")
struct DurationTextTests {
    private static let ms: Int64 = 1_000_000
    private static let s: Int64 = 1_000_000_000
    private static let m: Int64 = 60 * s
    private static let h: Int64 = 60 * m
    private static let d: Int64 = 24 * h

    static let valid: [(String, Int64)] = [
        ("0s", 0),
        ("0ms", 0),
        ("0d", 0),
        ("500ms", 500 * ms),
        ("30s", 30 * s),
        ("5m", 5 * m),
        ("1h", h),
        ("2d", 2 * d),
        ("1h30m", h + 30 * m),
        ("1d2h3m4s5ms", d + 2 * h + 3 * m + 4 * s + 5 * ms),
        ("1m30s", 90 * s),
        ("90s", 90 * s),
        ("36h", 36 * h),
        ("1500ms", 1500 * ms),
        ("1s500ms", 1500 * ms),
        ("05m", 5 * m),
        ("1h0m", h),
        ("106751d23h47m16s854ms", 9_223_372_036_854_000_000),
        ("9223372036854ms", 9_223_372_036_854 * ms),
    ]

    @Test("valid durations", arguments: valid)
    func validInputs(text: String, expected: Int64) {
        #expect(DurationText.parse(text) == expected, "\(text)")
    }

    static let invalid: [String] = [
        "", "0", "10", "s", "ms", "-1s", "+1s", "1.5h", "1,5h", " 1s", "1s ", "1 s", "1S", "1H", "1ns", "1us", "1µs",
        "1y", "1w", "1sec", "1min", "1hr", "1h30", "30m1h", "1m1m", "1s1ms1s", "1ms1s", "1mss", "1h-30m",
        "106752d",  // overflows Int64 nanoseconds
        "9223372036855ms",
        "99999999999999999999s",  // digits overflow
    ]

    @Test("rejected durations", arguments: invalid)
    func invalidInputs(text: String) {
        #expect(DurationText.parse(text) == nil, "\(text)")
    }

    @Test("format writes the canonical decomposition")
    func formatting() {
        #expect(DurationText.format(60_000_000_000) == "1m")
        #expect(DurationText.format(90 * Self.s) == "1m30s")
        #expect(DurationText.format(500 * Self.ms) == "500ms")
        #expect(DurationText.format(0) == "0s")
        #expect(DurationText.format(Self.h + 30 * Self.m) == "1h30m")
        #expect(DurationText.format(2 * Self.d) == "2d")
        #expect(DurationText.format(Self.d + Self.s) == "1d1s")
        #expect(DurationText.format(1500 * Self.ms) == "1s500ms")
        #expect(DurationText.format(1_500_000) == "1ms")  // sub-millisecond remainder truncated
        #expect(DurationText.format(999_999) == "0s")
        #expect(DurationText.format(-90 * Self.s) == "-1m30s")
        #expect(DurationText.format(Int64.max) == "106751d23h47m16s854ms")
        #expect(DurationText.format(Int64.min) == "-106751d23h47m16s854ms")
    }

    @Test("Too long is told apart from malformed")
    func tooLong() {
        for text in ["106752d", "2562048h", "106751d23h47m16s855ms", "99999999999999999999s", "1d99999999999999999h"] {
            #expect(DurationText.parse(text) == nil, "\(text)")
            #expect(DurationText.isTooLong(text), "\(text)")
        }
        for text in ["106751d23h47m16s854ms", "1h", "", "5", "1m1m", "99999999999999999999x"] {
            #expect(!DurationText.isTooLong(text), "\(text)")
        }
        #expect(DurationText.parse(DurationText.longest) == Int64.max / Self.ms * Self.ms)
    }

    @Test("parse(format(x)) == x for whole milliseconds")
    func roundTrip() {
        var value: Int64 = 0
        var step: Int64 = 1
        while value < 400 * Self.d / Self.ms {
            let ns = value * Self.ms
            #expect(DurationText.parse(DurationText.format(ns)) == ns, "\(ns)")
            value += step
            step = step * 3 + 7
        }
        for ns in [Self.ms, Self.s, Self.m, Self.h, Self.d, Self.d - Self.ms, 9_223_372_036_854_000_000] {
            #expect(DurationText.parse(DurationText.format(ns)) == ns, "\(ns)")
        }
    }
}
