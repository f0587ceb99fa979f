// JSON string helpers: decoding escapes and comparing raw string content, plus the byte-level rules
// (escape sequences, well-formed UTF-8) shared by `JSONScanner`, `JSONValue.parse` and the unescaper.

#if arch(x86_64)
import _Builtin_intrinsics.intel
#endif

/// Helpers for the raw content of a JSON string (the bytes between the quotes).
public enum JSONString {
    /// Appends the decoded UTF-8 of a string's raw content (between the quotes, already validated) to `out`.
    ///
    /// Escapes are decoded (`\uD83D\uDE00` becomes the single 4-byte sequence of U+1F600); runs of bytes without
    /// escapes are copied in bulk. `raw` must have been validated by `JSONScanner.scan` or `JSONValue.parse`; on
    /// unvalidated input the output is unspecified, but memory safety is kept (a bad escape is copied verbatim).
    /// - Complexity: O(n) in `raw.count`. Allocates only when `out` has to grow: reuse one buffer with
    ///   `removeAll(keepingCapacity: true)` to stay allocation-free on the hot path.
    public static func unescape(_ raw: UnsafeRawBufferPointer, into out: inout [UInt8]) {
        guard let base = raw.baseAddress else { return }
        let count = raw.count
        var runStart = 0
        var pos = 0
        while pos < count {
            guard base.load(fromByteOffset: pos, as: UInt8.self) == JSONByte.backslash else {
                pos += 1
                continue
            }
            if pos > runStart {
                out.append(contentsOf: UnsafeRawBufferPointer(start: base + runStart, count: pos - runStart))
            }
            var scalar: UInt32 = 0
            let next = JSONEscape.read(base, at: pos, count: count, scalar: &scalar)
            if next > 0 {
                JSONUTF8.append(scalar: scalar, to: &out)
                pos = next
            } else {
                out.append(JSONByte.backslash)  // unvalidated input: keep the byte, never trap
                pos += 1
            }
            runStart = pos
        }
        if count > runStart {
            out.append(contentsOf: UnsafeRawBufferPointer(start: base + runStart, count: count - runStart))
        }
    }

    /// Compares a raw key/value (no escapes) with ASCII bytes of a StaticString, fast.
    ///
    /// Byte-wise comparison: `raw` must be escape-free content (check `keyHasEscapes`/`valueHasEscapes` first, and
    /// unescape when set), and `literal` should be ASCII (any UTF-8 is compared byte for byte).
    /// - Complexity: O(n), no allocation.
    @inline(__always)
    public static func equals(_ raw: UnsafeRawBufferPointer, _ literal: StaticString) -> Bool {
        literal.withUTF8Buffer { lit in
            let n = lit.count
            guard raw.count == n else { return false }
            guard n > 0, let a = raw.baseAddress, let b = lit.baseAddress else { return true }
            return bytesEqual(a, UnsafeRawPointer(b), n)
        }
    }
}

// MARK: - Shared byte-level rules (internal)

/// ASCII bytes used by the JSON grammar.
enum JSONByte {
    // Literal values (not `UInt8(ascii:)`) so the globals are statically initialised.
    static let quote: UInt8 = 0x22  // '"'
    static let backslash: UInt8 = 0x5C  // '\\'
    static let slash: UInt8 = 0x2F  // '/'
    static let colon: UInt8 = 0x3A  // ':'
    static let comma: UInt8 = 0x2C  // ','
    static let openBrace: UInt8 = 0x7B  // '{'
    static let closeBrace: UInt8 = 0x7D  // '}'
    static let openBracket: UInt8 = 0x5B  // '['
    static let closeBracket: UInt8 = 0x5D  // ']'
    static let minus: UInt8 = 0x2D  // '-'
    static let plus: UInt8 = 0x2B  // '+'
    static let dot: UInt8 = 0x2E  // '.'
    static let zero: UInt8 = 0x30  // '0'
    static let nine: UInt8 = 0x39  // '9'
    static let space: UInt8 = 0x20  // ' '
    static let tab: UInt8 = 0x09  // '\t'
    static let newline: UInt8 = 0x0A  // '\n'
    static let carriageReturn: UInt8 = 0x0D  // '\r'

    /// Whether `c` is JSON whitespace: space, tab, line feed or carriage return (nothing else).
    @inline(__always)
    static func isWhitespace(_ c: UInt8) -> Bool {
        // One compare for the usual case, a byte above the space.
        c <= space && (c == space || c == newline || c == carriageReturn || c == tab)
    }

    /// Whether `c` is an ASCII digit.
    @inline(__always)
    static func isDigit(_ c: UInt8) -> Bool {
        c &- zero < 10
    }

    /// From `p` on, by eight-byte words: the offset of the first byte that needs a closer look inside a string (see
    /// `stringSpecialMask`), or, when none does, the first offset less than eight bytes before `end`.
    @inline(__always)
    static func skipPlainWords(_ base: UnsafeRawPointer, from p: Int, end: Int) -> Int {
        var p = p
        while p + 8 <= end {
            let mask = stringSpecialMask(UInt64(littleEndian: base.loadUnaligned(fromByteOffset: p, as: UInt64.self)))
            if mask != 0 { return p + mask.trailingZeroBitCount >> 3 }
            p += 8
        }
        return p
    }

    /// Bit `i` set when byte `i` of the sixteen at `p` needs a closer look inside a string (as for
    /// `stringSpecialMask`): one SSE2 compare per kind of byte.
    @inline(__always)
    static func stringSpecialMask16(_ p: UnsafeRawPointer) -> UInt32 {
        #if arch(x86_64)
        let v = _mm_loadu_si128(p.assumingMemoryBound(to: __m128i.self))
        // Signed: below 0x20 is a control byte or a byte >= 0x80.
        let special = _mm_or_si128(
            _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(0x22)), _mm_cmpeq_epi8(v, _mm_set1_epi8(0x5C))),
            _mm_cmplt_epi8(v, _mm_set1_epi8(0x20)))
        return UInt32(truncatingIfNeeded: _mm_movemask_epi8(special))
        #else
        return stringSpecialMask16Words(p)
        #endif
    }

    /// `stringSpecialMask16` without SSE2, from two `stringSpecialMask` words: what other architectures run.
    /// Only the lowest set bit is exact (bits above it may be set without cause), which is all `plainRun16`
    /// reads; compiled everywhere so that the tests hold it to the SSE2 mask on x86-64.
    @inline(__always)
    static func stringSpecialMask16Words(_ p: UnsafeRawPointer) -> UInt32 {
        let low = stringSpecialMask(UInt64(littleEndian: p.loadUnaligned(as: UInt64.self)))
        let high = stringSpecialMask(UInt64(littleEndian: p.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
        // The high bit of each byte gathered into one bit per byte (exact: the partial products do not overlap).
        // Only the lowest set bit of each SWAR mask is exact, and only it is relied on.
        func compress(_ m: UInt64) -> UInt64 { ((m >> 7) &* 0x0102_0408_1020_4080) >> 56 }
        return UInt32(truncatingIfNeeded: compress(low) | compress(high) << 8)
    }

    /// How many of the sixteen bytes at `p` a string scan can pass over without a closer look: plain ASCII, and
    /// (on x86-64) well-formed two- and three-byte UTF-8 letters whole. 16 when all of them; otherwise the byte at
    /// the returned offset needs the byte-by-byte look (`"`, `\`, a control byte, a non-ASCII byte the fast check
    /// does not vouch for), and the offset is never inside a multi-byte sequence.
    ///
    /// The fast check vouches for the forms that Vietnamese text is made of: a lead C2–DF followed by one
    /// continuation byte (80–BF), and a lead E1–EC or EE–EF followed by two, all within the sixteen bytes. The
    /// leads with narrower second bytes (E0, ED: overlong forms and surrogates), four-byte sequences and
    /// everything invalid are left to the full check at the returned offset; what it accepts is exactly what the
    /// byte-by-byte path accepts.
    @inline(__always)
    static func plainRun16(_ p: UnsafeRawPointer) -> Int {
        let mask = stringSpecialMask16(p)
        if mask == 0 { return 16 }
        let first = mask.trailingZeroBitCount
        #if arch(x86_64)
        if p.load(fromByteOffset: first, as: UInt8.self) >= 0x80 { return utf8Run16(p, first: first) }
        #endif
        return first
    }

    #if arch(x86_64)
    /// `plainRun16` when the first byte needing a look is the non-ASCII one at `first`: the letters from there on
    /// that are well-formed two- and three-byte sequences, by masks over the sixteen bytes (SSE2).
    @inline(__always)
    static func utf8Run16(_ p: UnsafeRawPointer, first: Int) -> Int {
        let v = _mm_loadu_si128(p.assumingMemoryBound(to: __m128i.self))
        @inline(__always) func bits(_ m: __m128i) -> UInt32 { UInt32(truncatingIfNeeded: _mm_movemask_epi8(m)) }
        @inline(__always) func splat(_ b: UInt8) -> __m128i { _mm_set1_epi8(CChar(bitPattern: b)) }
        // Signed compares: 0x80–0xFF are -128…-1.
        let ascii = _mm_or_si128(
            _mm_or_si128(_mm_cmpeq_epi8(v, splat(0x22)), _mm_cmpeq_epi8(v, splat(0x5C))),
            _mm_cmpeq_epi8(_mm_min_epu8(v, splat(0x1F)), v))  // `"`, `\`, 00–1F
        let continuation = bits(_mm_cmplt_epi8(v, splat(0xC0)))  // 80–BF
        let lead2 = bits(_mm_and_si128(_mm_cmpgt_epi8(v, splat(0xC1)), _mm_cmplt_epi8(v, splat(0xE0))))  // C2–DF
        let lead3 = bits(
            _mm_andnot_si128(
                _mm_cmpeq_epi8(v, splat(0xED)),
                _mm_and_si128(_mm_cmpgt_epi8(v, splat(0xE0)), _mm_cmplt_epi8(v, splat(0xF0)))))  // E1–EF but ED
        let high = bits(v)
        // Stop at the first byte needing a look, and before a sequence it would cut (a lead one or two bytes
        // before it, or before the sixteen bytes' end).
        let stop = bits(ascii) | (high & ~(continuation | lead2 | lead3)) | 0x1_0000
        var end = stop.trailingZeroBitCount
        let endBit: UInt32 = 1 << end
        let cut = (lead2 | lead3) & (endBit >> 1) | lead3 & (endBit >> 2)
        if cut != 0 { end = cut.trailingZeroBitCount }
        let inside = (UInt32(1) << end) &- 1
        // Every continuation byte before `end` where a lead before `end` puts one, and nowhere else: every such
        // lead's sequence complete before `end`.
        let expected = ((lead2 | lead3) & inside) << 1 | (lead3 & inside) << 2
        return continuation & inside == expected && end > first ? end : first
    }
    #endif

    /// A mask with the high bit set in every byte of the little-endian word `w` that needs a closer look inside a
    /// string: `"`, `\`, a control byte (< 0x20) or a non-ASCII byte (>= 0x80). The lowest set bit is exact (the
    /// borrow tricks can only produce false positives above a true one), so `trailingZeroBitCount >> 3` is the
    /// index of the first such byte.
    @inline(__always)
    static func stringSpecialMask(_ w: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let high: UInt64 = 0x8080_8080_8080_8080
        let q = w ^ (ones &* 0x22)
        let b = w ^ (ones &* 0x5C)
        let hasQuote = (q &- ones) & ~q
        let hasBackslash = (b &- ones) & ~b
        let hasControl = (w &- ones &* 0x20) & ~w
        return (hasQuote | hasBackslash | hasControl | w) & high
    }
}

/// Escape sequences (`\"`, `\\`, `\/`, `\b`, `\f`, `\n`, `\r`, `\t`, `\uXXXX`) including UTF-16 surrogate pairs.
enum JSONEscape {
    /// `read` result: the byte after the backslash is not a valid escape (or `\u` lacks four hex digits).
    static let invalid = -1
    /// `read` result: a `\u` escape encodes a lone (unpaired) UTF-16 surrogate.
    static let loneSurrogate = -2

    /// Reads the escape whose backslash is at `pos`.
    /// - Returns: the offset just past the escape (a pair of `\u` escapes for a surrogate pair) with the decoded
    ///   Unicode scalar in `scalar`, or `invalid` / `loneSurrogate` (both negative).
    /// - Complexity: O(1), no allocation.
    @inline(__always)
    static func read(_ base: UnsafeRawPointer, at pos: Int, count: Int, scalar: inout UInt32) -> Int {
        guard pos + 1 < count else { return invalid }
        switch base.load(fromByteOffset: pos + 1, as: UInt8.self) {
        case JSONByte.quote: scalar = 0x22
        case JSONByte.backslash: scalar = 0x5C
        case JSONByte.slash: scalar = 0x2F
        case UInt8(ascii: "b"): scalar = 0x08
        case UInt8(ascii: "f"): scalar = 0x0C
        case UInt8(ascii: "n"): scalar = 0x0A
        case UInt8(ascii: "r"): scalar = 0x0D
        case UInt8(ascii: "t"): scalar = 0x09
        case UInt8(ascii: "u"):
            let high = hex4(base, at: pos + 2, count: count)
            guard high >= 0 else { return invalid }
            if high < 0xD800 || high > 0xDFFF {
                scalar = UInt32(high)
                return pos + 6
            }
            guard high < 0xDC00, pos + 7 < count,
                base.load(fromByteOffset: pos + 6, as: UInt8.self) == JSONByte.backslash,
                base.load(fromByteOffset: pos + 7, as: UInt8.self) == UInt8(ascii: "u")
            else { return loneSurrogate }
            let low = hex4(base, at: pos + 8, count: count)
            guard low >= 0xDC00 && low <= 0xDFFF else { return loneSurrogate }
            scalar = 0x10000 + (UInt32(high - 0xD800) << 10) + UInt32(low - 0xDC00)
            return pos + 12
        default:
            return invalid
        }
        return pos + 2
    }

    /// The value of the four hex digits at `pos`, or -1 when they are missing or not hex.
    @inline(__always)
    static func hex4(_ base: UnsafeRawPointer, at pos: Int, count: Int) -> Int {
        guard pos + 4 <= count else { return -1 }
        var value = 0
        for i in 0..<4 {
            let c = base.load(fromByteOffset: pos + i, as: UInt8.self)
            let digit: Int
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = Int(c &- UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = Int(c &- UInt8(ascii: "a")) + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = Int(c &- UInt8(ascii: "A")) + 10
            default: return -1
            }
            value = value << 4 | digit
        }
        return value
    }
}

/// Well-formed UTF-8 (Unicode Table 3-7): no overlong forms, no encoded surrogates, nothing above U+10FFFF.
enum JSONUTF8 {
    /// Length (2...4) of the well-formed multi-byte sequence whose lead byte (>= 0x80) is at `pos`, or 0 when the
    /// sequence is ill-formed or truncated by `count`.
    /// - Complexity: O(1), no allocation.
    @inline(__always)
    static func sequenceLength(_ base: UnsafeRawPointer, at pos: Int, count: Int) -> Int {
        @inline(__always) func byte(_ i: Int) -> UInt8 { base.load(fromByteOffset: i, as: UInt8.self) }
        @inline(__always) func isContinuation(_ c: UInt8) -> Bool { c & 0xC0 == 0x80 }
        let lead = byte(pos)
        switch lead {
        case 0xC2...0xDF:
            return pos + 1 < count && isContinuation(byte(pos + 1)) ? 2 : 0
        case 0xE0...0xEF:
            guard pos + 2 < count else { return 0 }
            let b1 = byte(pos + 1)
            let low: UInt8 = lead == 0xE0 ? 0xA0 : 0x80  // E0: no overlong forms
            let high: UInt8 = lead == 0xED ? 0x9F : 0xBF  // ED: no UTF-16 surrogates (ED A0..BF)
            return b1 >= low && b1 <= high && isContinuation(byte(pos + 2)) ? 3 : 0
        case 0xF0...0xF4:
            guard pos + 3 < count else { return 0 }
            let b1 = byte(pos + 1)
            let low: UInt8 = lead == 0xF0 ? 0x90 : 0x80  // F0: no overlong forms
            let high: UInt8 = lead == 0xF4 ? 0x8F : 0xBF  // F4: nothing above U+10FFFF
            return b1 >= low && b1 <= high && isContinuation(byte(pos + 2)) && isContinuation(byte(pos + 3)) ? 4 : 0
        default:
            return 0  // lone continuation bytes, C0/C1 (overlong) and F5...FF
        }
    }

    /// Appends the UTF-8 encoding of `scalar` (a Unicode scalar value, not a surrogate) to `out`.
    @inline(__always)
    static func append(scalar: UInt32, to out: inout [UInt8]) {
        switch scalar {
        case 0..<0x80:
            out.append(UInt8(truncatingIfNeeded: scalar))
        case 0x80..<0x800:
            out.append(UInt8(truncatingIfNeeded: 0xC0 | scalar >> 6))
            out.append(UInt8(truncatingIfNeeded: 0x80 | scalar & 0x3F))
        case 0x800..<0x10000:
            out.append(UInt8(truncatingIfNeeded: 0xE0 | scalar >> 12))
            out.append(UInt8(truncatingIfNeeded: 0x80 | scalar >> 6 & 0x3F))
            out.append(UInt8(truncatingIfNeeded: 0x80 | scalar & 0x3F))
        default:
            out.append(UInt8(truncatingIfNeeded: 0xF0 | scalar >> 18))
            out.append(UInt8(truncatingIfNeeded: 0x80 | scalar >> 12 & 0x3F))
            out.append(UInt8(truncatingIfNeeded: 0x80 | scalar >> 6 & 0x3F))
            out.append(UInt8(truncatingIfNeeded: 0x80 | scalar & 0x3F))
        }
    }
}
