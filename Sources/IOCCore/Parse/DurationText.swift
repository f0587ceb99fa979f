/// Compact duration text as used in rules and configuration: `500ms`, `30s`, `5m`, `1h`, `2d`, `1h30m`.
///
/// A duration is one or more `<digits><unit>` components with units `d` (86 400 s), `h`, `m`, `s` and `ms`.
/// Components must appear in strictly decreasing unit order, each unit at most once (`1h30m`, not `30m1h` or
/// `1m1m`); a single component may exceed the next unit (`90s`, `36h`). There is no sign, fraction, whitespace,
/// upper-case unit or bare number; `0s` (and any other zero) is allowed. Values are nanoseconds in `Int64`.
public enum DurationText {
    /// Units from largest to smallest, with their suffix and size in nanoseconds.
    private static let units: [(suffix: String, ns: Int64)] = [
        ("d", 86_400_000_000_000), ("h", 3_600_000_000_000), ("m", 60_000_000_000), ("s", 1_000_000_000),
        ("ms", 1_000_000),
    ]

    /// Nanoseconds of a duration such as `500ms`, `30s`, `5m`, `1h`, `2d` or `1h30m`; nil for anything else.
    ///
    /// Returns nil for an empty string, a missing or unknown unit (`ns`, `us`, `H`, `1.5h`, `-1s`, `10`), units out
    /// of decreasing order or repeated, or a total that overflows `Int64`.
    /// - Complexity: O(n) in the text length; does not allocate (reads the UTF-8 view in place).
    public static func parse(_ text: String) -> Int64? {
        if case .value(let ns) = scan(text) { return ns }
        return nil
    }

    /// The longest duration there is, 106751d23h47m16s854ms (and 775,807 ns): `Int64.max` nanoseconds.
    public static let longest = format(.max)

    /// Whether `text` is written as a duration but is longer than `longest` (`3000000h`), so a message can say so
    /// rather than call it malformed.
    public static func isTooLong(_ text: String) -> Bool {
        if case .tooLong = scan(text) { return true }
        return false
    }

    private enum Scanned {
        case value(Int64)
        case tooLong
        case malformed
    }

    private static func scan(_ text: String) -> Scanned {
        let bytes = text.utf8
        var i = bytes.startIndex
        guard i != bytes.endIndex else { return .malformed }
        var total: Int64 = 0
        var overflow = false
        var lastRank = -1  // index into `units` of the previous component; must strictly increase
        while i != bytes.endIndex {
            var value: Int64 = 0
            var digitCount = 0
            while i != bytes.endIndex {
                let d = bytes[i] &- 0x30
                guard d < 10 else { break }
                let (times10, o1) = value.multipliedReportingOverflow(by: 10)
                let (next, o2) = times10.addingReportingOverflow(Int64(d))
                if o1 || o2 { overflow = true }
                value = next
                digitCount += 1
                i = bytes.index(after: i)
            }
            guard digitCount > 0, i != bytes.endIndex else { return .malformed }
            let rank: Int
            switch bytes[i] {
            case UInt8(ascii: "d"): rank = 0
            case UInt8(ascii: "h"): rank = 1
            case UInt8(ascii: "s"): rank = 3
            case UInt8(ascii: "m"):
                let after = bytes.index(after: i)
                if after != bytes.endIndex && bytes[after] == UInt8(ascii: "s") {
                    rank = 4
                    i = after
                } else {
                    rank = 2
                }
            default:
                return .malformed
            }
            i = bytes.index(after: i)
            guard rank > lastRank else { return .malformed }
            lastRank = rank
            let (scaled, o3) = value.multipliedReportingOverflow(by: units[rank].ns)
            let (sum, o4) = total.addingReportingOverflow(scaled)
            if o3 || o4 { overflow = true }
            total = sum
        }
        return overflow ? .tooLong : .value(total)
    }

    /// Canonical text of a duration: greedy decomposition into `d`, `h`, `m`, `s`, `ms`, skipping zero components.
    ///
    /// `60_000_000_000` → `1m`, 90 s → `1m30s`, 500 ms → `500ms`, 0 → `0s`. The result parses back to `ns` when `ns`
    /// is a non-negative whole number of milliseconds. A sub-millisecond remainder cannot be expressed in these
    /// units and is truncated (`1_500_000` → `1ms`; a duration under 1 ms → `0s`). A negative duration is written
    /// with a leading `-` (which ``parse(_:)`` rejects).
    /// - Complexity: O(1); allocates the returned string.
    public static func format(_ ns: Int64) -> String {
        var remaining = ns.magnitude / UInt64(units[4].ns)  // whole milliseconds
        guard remaining > 0 else { return "0s" }
        var text = ns < 0 ? "-" : ""
        for (suffix, unitNs) in units {
            let perUnit = UInt64(unitNs) / 1_000_000
            let count = remaining / perUnit
            if count > 0 {
                text += String(count)
                text += suffix
                remaining -= count * perUnit
            }
        }
        return text
    }
}
