// Conversions of validated JSON number tokens: exact `Double`s (Clinger's fast path, glibc `strtod` otherwise) and
// the spec's "integer" rule. No allocation, no String.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The outcome of `JSONNumber.integer`.
public enum JSONInteger: Equatable, Sendable {
    /// The token is an integer with |value| <= 2^53.
    case value(Int64)
    /// The token has a fraction or an exponent (`5.0`, `1e2`), or is not a number token.
    case notInteger
    /// The token is an integer with |value| > 2^53.
    case outOfRange
}

/// Numeric conversions of JSON number tokens (as validated by `JSONScanner` or `JSONValue.parse`).
public enum JSONNumber {
    /// 2^53: the largest magnitude up to which every integer is exactly a `Double`.
    static let maxExactInteger: UInt64 = 1 << 53

    /// Exact powers of ten 10^0 ... 10^22 (all exactly representable as `Double`).
    private static let powersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]

    /// Parses a validated JSON number token to Double; nil when not finite (1e999).
    ///
    /// Correctly rounded: when the significant digits form an integer below 2^53 and the decimal exponent is within
    /// ±22, one exact multiplication or division suffices (Clinger's fast path); otherwise the token is copied,
    /// NUL-terminated, into a stack scratch buffer and handed to the C library's `strtod` (correctly rounded in
    /// glibc; the process keeps the "C" locale, so the decimal separator is `.`). Underflow gives 0 or a
    /// subnormal, `-0` gives -0.0. A token that is not a JSON number also gives `nil`.
    /// - Complexity: O(n) in `token.count`. No heap allocation (the scratch buffer is on the stack for any
    ///   realistic token length).
    @inline(__always)
    public static func double(_ token: UnsafeRawBufferPointer) -> Double? {
        guard let base = token.baseAddress, !token.isEmpty else { return nil }
        let negative = base.load(as: UInt8.self) == JSONByte.minus
        // Inlined at the call site: the short decimals of sensor readings; everything else goes out of line.
        if let value = shortDecimal(base, from: negative ? 1 : 0, count: token.count) {
            return negative ? -value : value
        }
        return generalDouble(base, count: token.count, negative: negative)
    }

    /// `double(_:)` for what `shortDecimal` does not read: long mantissas, exponents, huge or tiny values.
    private static func generalDouble(_ base: UnsafeRawPointer, count n: Int, negative: Bool) -> Double? {
        @inline(__always) func byte(_ i: Int) -> UInt8 { base.load(fromByteOffset: i, as: UInt8.self) }
        var i = negative ? 1 : 0

        var mantissa: UInt64 = 0
        var significantDigits = 0
        var exponent = 0  // decimal exponent applied to `mantissa`
        var truncated = false  // more than 19 significant digits: the fast path can't be used

        let integerStart = i
        while i < n, JSONByte.isDigit(byte(i)) {
            let digit = UInt64(byte(i) &- JSONByte.zero)
            if significantDigits < 19 {
                if mantissa != 0 || digit != 0 {
                    mantissa = mantissa &* 10 &+ digit
                    significantDigits += 1
                }
            } else {
                truncated = true
                exponent += 1
            }
            i += 1
        }
        guard i > integerStart else { return nil }
        if i < n && byte(i) == JSONByte.dot {
            i += 1
            let fractionStart = i
            while i < n, JSONByte.isDigit(byte(i)) {
                let digit = UInt64(byte(i) &- JSONByte.zero)
                if significantDigits < 19 {
                    if mantissa != 0 || digit != 0 {
                        mantissa = mantissa &* 10 &+ digit
                        significantDigits += 1
                    }
                    exponent -= 1
                } else {
                    truncated = true
                }
                i += 1
            }
            guard i > fractionStart else { return nil }
        }
        if i < n && byte(i) | 0x20 == UInt8(ascii: "e") {
            i += 1
            var exponentNegative = false
            if i < n && (byte(i) == JSONByte.plus || byte(i) == JSONByte.minus) {
                exponentNegative = byte(i) == JSONByte.minus
                i += 1
            }
            let exponentStart = i
            var written = 0
            while i < n, JSONByte.isDigit(byte(i)) {
                if written < 100_000_000 {  // saturate: far beyond any finite or non-zero Double
                    written = written * 10 + Int(byte(i) &- JSONByte.zero)
                }
                i += 1
            }
            guard i > exponentStart else { return nil }
            exponent += exponentNegative ? -written : written
        }
        guard i == n else { return nil }

        if mantissa == 0 && !truncated {
            return negative ? -0.0 : 0.0
        }
        if !truncated && mantissa <= maxExactInteger {
            var value = Double(mantissa)
            var fast = false
            if exponent == 0 {
                fast = true
            } else if exponent > 0 && exponent <= 22 {
                value *= powersOfTen[exponent]
                fast = true
            } else if exponent < 0 && exponent >= -22 {
                value /= powersOfTen[-exponent]
                fast = true
            } else if exponent > 22 && exponent <= 22 + 15 {
                // Extended fast path: move the excess power into the integer mantissa while it stays <= 2^53.
                var shifted = mantissa
                var excess = exponent - 22
                while excess > 0 && shifted <= maxExactInteger / 10 {
                    shifted *= 10
                    excess -= 1
                }
                if excess == 0 {
                    value = Double(shifted) * powersOfTen[22]
                    fast = true
                }
            }
            if fast {
                return negative ? -value : value
            }
        }
        return strtodFallback(base, count: n)
    }

    /// The common case, `ddd` or `ddd.ddd` with at most 15 digits in all (so the digits are an exact integer and
    /// one correctly rounded division by an exact power of ten gives the correctly rounded value); nil for
    /// anything else, which the general path reads.
    @inline(__always)
    private static func shortDecimal(_ base: UnsafeRawPointer, from start: Int, count n: Int) -> Double? {
        var i = start
        var digits: UInt64 = 0
        /// Reads a run of digits into `digits`; returns how many.
        @inline(__always) func run() -> Int {
            let first = i
            while i < n {
                let d = base.load(fromByteOffset: i, as: UInt8.self) &- JSONByte.zero
                guard d < 10 else { break }
                digits = digits &* 10 &+ UInt64(d)
                i &+= 1
            }
            return i &- first
        }
        let integerDigits = run()
        guard integerDigits > 0 else { return nil }
        if i == n { return integerDigits <= 15 ? Double(digits) : nil }
        guard base.load(fromByteOffset: i, as: UInt8.self) == JSONByte.dot else { return nil }
        i += 1
        let fractionDigits = run()
        guard i == n, fractionDigits > 0, integerDigits + fractionDigits <= 15 else { return nil }
        return Double(digits) / powersOfTen[fractionDigits]
    }

    /// Parses the token with `strtod` from a NUL-terminated stack copy; nil when the result is not finite.
    private static func strtodFallback(_ base: UnsafeRawPointer, count: Int) -> Double? {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: count + 1) { scratch in
            guard let scratchBase = scratch.baseAddress else { return nil }
            UnsafeMutableRawPointer(scratchBase).copyMemory(from: base, byteCount: count)
            scratch[count] = 0
            let value = strtod(scratchBase, nil)
            return value.isFinite ? value : nil
        }
    }

    /// An "integer" per our spec: a number token written without fraction or exponent. Returns .notInteger if it
    /// has '.', 'e' or 'E'; .outOfRange if |value| > 2^53; else the value.
    ///
    /// `-0` gives `.value(0)`. Bytes that cannot appear in a number token also give `.notInteger`.
    /// - Complexity: O(n) in `token.count`, no allocation.
    @inline(__always)
    public static func integer(_ token: UnsafeRawBufferPointer) -> JSONInteger {
        guard let base = token.baseAddress, !token.isEmpty else { return .notInteger }
        let n = token.count
        var i = 0
        let negative = base.load(as: UInt8.self) == JSONByte.minus
        if negative { i = 1 }
        guard i < n else { return .notInteger }
        var magnitude: UInt64 = 0
        var tooLarge = false
        while i < n {
            let c = base.load(fromByteOffset: i, as: UInt8.self)
            guard JSONByte.isDigit(c) else { return .notInteger }  // '.', 'e', 'E' or a stray byte
            if !tooLarge {
                magnitude = magnitude &* 10 &+ UInt64(c &- JSONByte.zero)  // <= 2^53 * 10 + 9: no overflow
                tooLarge = magnitude > maxExactInteger
            }
            i &+= 1
        }
        if tooLarge { return .outOfRange }
        let value = Int64(magnitude)
        return .value(negative ? -value : value)
    }
}
