/// Appends compact JSON to a byte buffer: what snapshots, alerts, dead letters and routed lines are made of.
///
/// Commas are the caller's business except inside `object`/`member` helpers; there is no DOM, so a snapshot is
/// written in one pass without intermediate strings for numbers.
public struct JSONWriter: Sendable {
    public var bytes: [UInt8] = []

    public init(capacity: Int = 4096) { bytes.reserveCapacity(capacity) }

    @inline(__always) public mutating func raw(_ s: StaticString) {
        s.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    @inline(__always) public mutating func byte(_ b: UInt8) { bytes.append(b) }

    /// `"key":`
    @inline(__always) public mutating func key(_ s: StaticString) {
        bytes.append(0x22)
        raw(s)
        bytes.append(0x22)
        bytes.append(0x3A)
    }

    /// `"key":` for a dynamic key.
    public mutating func key(_ s: String) {
        string(s)
        bytes.append(0x3A)
    }

    /// A JSON string, escaped per RFC 8259 (valid UTF-8 in, so only `"`, `\` and controls need escapes).
    public mutating func string(_ s: String) {
        var s = s
        s.withUTF8 { string(utf8: UnsafeRawBufferPointer($0)) }
    }

    /// A JSON string from UTF-8 bytes that are known to be valid.
    public mutating func string(utf8 s: UnsafeRawBufferPointer) {
        bytes.append(0x22)
        var runStart = 0
        for i in 0..<s.count {
            let b = s[i]
            if b >= 0x20 && b != 0x22 && b != 0x5C { continue }
            if runStart < i { bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: s[runStart..<i])) }
            runStart = i + 1
            switch b {
            case 0x22: raw("\\\"")
            case 0x5C: raw("\\\\")
            case 0x0A: raw("\\n")
            case 0x0D: raw("\\r")
            case 0x09: raw("\\t")
            case 0x08: raw("\\b")
            case 0x0C: raw("\\f")
            default:
                raw("\\u00")
                bytes.append(JSONWriter.hex[Int(b >> 4)])
                bytes.append(JSONWriter.hex[Int(b & 0xF)])
            }
        }
        if runStart < s.count { bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: s[runStart..<s.count])) }
        bytes.append(0x22)
    }

    /// A JSON string from arbitrary bytes: invalid UTF-8 becomes U+FFFD, so the output is always valid JSON.
    public mutating func string(lossy s: UnsafeRawBufferPointer) {
        let text = String(decoding: s, as: UTF8.self)
        string(text)
    }

    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    /// An integer in decimal, of any width (a window's `vehicles` is an `Int128`).
    public mutating func int<T: BinaryInteger>(_ v: T) {
        if v == 0 {
            bytes.append(0x30)
            return
        }
        guard var n = Int64(exactly: v) else {
            bytes.append(contentsOf: String(v).utf8)
            return
        }
        if n < 0 {
            bytes.append(0x2D)
            if n == .min {
                raw("9223372036854775808")
                return
            }
            n = -n
        }
        var buf: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &buf) { tmp in
            var i = tmp.count
            while n > 0 {
                i -= 1
                tmp[i] = UInt8(truncatingIfNeeded: 0x30 + n % 10)
                n /= 10
            }
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: tmp[i...]))
        }
    }

    /// A finite number in its shortest round-trip form; integral values within 2^53 without a fraction;
    /// non-finite values as `null`.
    public mutating func double(_ v: Double) {
        guard v.isFinite else {
            raw("null")
            return
        }
        if v == v.rounded(), abs(v) < 9_007_199_254_740_992 {
            int(Int64(v))
            return
        }
        bytes.append(contentsOf: v.description.utf8)
    }

    /// A number or `null`.
    public mutating func double(_ v: Double?) {
        if let v { double(v) } else { raw("null") }
    }

    public mutating func bool(_ v: Bool) {
        if v { raw("true") } else { raw("false") }
    }

    public mutating func null() { raw("null") }

    /// An RFC 3339 UTC timestamp string.
    public mutating func timestamp(_ ns: Int64) {
        bytes.append(0x22)
        Timestamp.format(ns, into: &bytes)
        bytes.append(0x22)
    }

    /// Drops everything written, keeping capacity.
    public mutating func reset() { bytes.removeAll(keepingCapacity: true) }
}
