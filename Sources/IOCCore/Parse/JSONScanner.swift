// The hot-path JSON validator: one strict RFC 8259 pass over the bytes of one NDJSON line, recording the byte
// ranges of the top-level object's members. No String, no Foundation, no allocation once `members` has grown.

/// The type of a JSON value, as seen from its first byte.
public enum JSONType: UInt8, Sendable {
    case string, number, object, array, `true`, `false`, null
}

/// One member of an object: byte offsets into the scanned buffer.
///
/// `JSONScanner.elements(ofArrayIn:start:end:into:)` reuses this type for array elements: there the key range is
/// empty (`keyStart == keyEnd == valueStart`) and `keyHasEscapes` is `false`.
public struct JSONMember: Sendable, Equatable {
    /// Members are equal when they are the same member: `fieldHint`, what the scanner knew about the key, does
    /// not count.
    public static func == (a: JSONMember, b: JSONMember) -> Bool {
        a.keyStart == b.keyStart && a.keyEnd == b.keyEnd && a.keyHasEscapes == b.keyHasEscapes && a.type == b.type
            && a.valueStart == b.valueStart && a.valueEnd == b.valueEnd && a.valueHasEscapes == b.valueHasEscapes
    }

    /// First byte of the key's content (after the opening quote).
    public var keyStart: Int32
    /// One past the key's last content byte (the closing quote's offset).
    public var keyEnd: Int32
    /// Whether the key contains backslash escapes (decode it with `JSONString.unescape`).
    public var keyHasEscapes: Bool
    /// The value's type.
    public var type: JSONType
    /// Strings: first content byte after the quote; others: first byte of the token (`{`, `[`, digit/`-`, `t`,
    /// `f`, `n`).
    public var valueStart: Int32
    /// Strings: offset of the closing quote; others: one past the token's last byte (for objects and arrays: one
    /// past the `}` / `]`).
    public var valueEnd: Int32
    /// Whether a string value contains backslash escapes (always `false` for other types).
    public var valueHasEscapes: Bool
    /// For a top-level member of `JSONScanner.scan`: the index of the native field (`Field`, SPEC §2) its key
    /// names, learned from earlier lines with the same key at the same place; -1 when it names none; -2 when the
    /// scanner did not look (the reader looks the key up itself).
    public var fieldHint: Int8 = -2

    /// Creates a member from its offsets.
    /// - Complexity: O(1), no allocation.
    public init(
        keyStart: Int32, keyEnd: Int32, keyHasEscapes: Bool, type: JSONType,
        valueStart: Int32, valueEnd: Int32, valueHasEscapes: Bool, fieldHint: Int8 = -2
    ) {
        self.keyStart = keyStart
        self.keyEnd = keyEnd
        self.keyHasEscapes = keyHasEscapes
        self.type = type
        self.valueStart = valueStart
        self.valueEnd = valueEnd
        self.valueHasEscapes = valueHasEscapes
        self.fieldHint = fieldHint
    }

    /// The key's raw content (between the quotes) within `bytes`, the buffer that was scanned.
    /// - Complexity: O(1), no allocation.
    @inline(__always)
    public func key(in bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: bytes[Int(keyStart)..<Int(keyEnd)])
    }

    /// The value's raw bytes within `bytes`: a string's content between the quotes, or the whole token.
    /// - Complexity: O(1), no allocation.
    @inline(__always)
    public func value(in bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: bytes[Int(valueStart)..<Int(valueEnd)])
    }
}

/// The outcome of `JSONScanner.scan`.
public enum JSONScanResult: Equatable, Sendable {
    /// A valid JSON text whose top-level value is an object; `members` lists its members.
    case object
    /// A valid JSON text whose top-level value is not an object (`members` is empty).
    case notObject(JSONType)
    /// Not a valid JSON text under the strict grammar.
    case malformed
    /// Arrays/objects nested deeper than `maxDepth` (checked before the rest of the text is read).
    case tooDeep
}

/// A strict, allocation-free RFC 8259 validator for one JSON text per call (one NDJSON line).
///
/// Rejected as `.malformed`: invalid UTF-8 in strings (overlong forms, UTF-8-encoded surrogates, code points above
/// U+10FFFF, truncated sequences, lone continuation bytes), raw control bytes < 0x20 in strings, bad escapes, lone
/// UTF-16 surrogate escapes, `NaN`/`Infinity`, trailing commas, leading zeros, `+1`, `.5`, `1.`, a UTF-8 BOM, NUL
/// bytes and anything but whitespace (space, tab, LF, CR) around the value. Numbers of any magnitude are valid
/// syntax (`1e999`); `JSONNumber` decides later whether they are usable.
///
/// Offsets are relative to the start of the scanned buffer and stored as `Int32`: buffers larger than
/// `Int32.max` bytes are reported as `.malformed`.
public struct JSONScanner: Sendable {
    /// The deepest array/object nesting accepted; one more level gives `.tooDeep`. The top-level container is
    /// level 1, so with the default 512, 512 nested arrays are fine and 513 are not (Python's `json`, which
    /// many feeds are checked with, takes about a thousand; the limit bounds the recursion on a 1 MiB worker stack).
    public var maxDepth: Int

    /// Where the members of the last scan are: a raw buffer reused across calls, written without the uniqueness
    /// checks an `Array` append makes (they cost more than scanning the member).
    private var storage = MemberStorage()

    /// Members of the top-level object of the last `scan`, in source order (duplicates kept; consumers take the
    /// last). Empty unless the last result was `.object`.
    ///
    /// - Complexity: O(members); allocates the array. The hot path uses `withMembers`.
    public var members: [JSONMember] { withMembers { Array($0) } }

    /// Capacity of the reused member buffer (for tests: it must not shrink between scans).
    public var memberCapacity: Int { storage.buffer.pointee.capacity }

    /// Members of the last scan whose key the scanner did not recognise (`fieldHint` -2): the ones a caller that
    /// passed `fieldSlots` still has to look up. 0 unless the last result was `.object`.
    public var unhintedMembers: Int { storage.buffer.pointee.unhinted }

    /// Runs `body` on the members of the last scan, without copying them.
    ///
    /// - Complexity: O(1); does not allocate.
    @inline(__always)
    public func withMembers<R>(_ body: (UnsafeBufferPointer<JSONMember>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: storage.buffer.pointee.pointer, count: storage.buffer.pointee.count))
    }

    /// Creates a scanner.
    /// - Complexity: O(1) plus one small buffer for members and the table of learned keys (about 18 KB, filled
    ///   once). A copy of a scanner gets its own of both, empty, at its first `scan`.
    public init(maxDepth: Int = 512) {
        self.maxDepth = maxDepth
    }

    /// Validates `bytes` as exactly one JSON text (whitespace around allowed). When it is an object, fills
    /// `members` with its top-level members.
    ///
    /// Single pass, recursive descent with an explicit depth limit; strings are skipped eight bytes at a time
    /// while they are plain ASCII, and UTF-8 is checked only for bytes >= 0x80. A top-level key is first compared
    /// with the key the same place had in recent lines of the same shape (`ShapeKeys`): bytes identical to a key
    /// already validated are valid, and the member gets that key's native field (`JSONMember.fieldHint`).
    /// - Complexity: O(n) in `bytes.count`. Allocates only when `members` must grow beyond its capacity (so not at
    ///   all after warm-up on similar lines); never creates a `String`.
    ///
    /// With `fieldSlots` (`Field.count` entries, which the caller sets to -1 first), the scanner also writes the
    /// index of each top-level member whose key it recognised at that field's entry (a later duplicate
    /// overwriting an earlier one), and counts the others in `unhintedMembers`. On a failed scan the entries are
    /// unspecified.
    public mutating func scan(
        _ bytes: UnsafeRawBufferPointer, fieldSlots: UnsafeMutablePointer<Int32>? = nil
    ) -> JSONScanResult {
        // A copied scanner must not write into the buffer its original reads.
        makeStorageUnique()
        storage.buffer.pointee.clear()
        guard let base = bytes.baseAddress, bytes.count <= Int(Int32.max) else { return .malformed }
        var cursor = ScanCursor(
            base: base, count: bytes.count, maxDepth: maxDepth, members: storage.buffer,
            fieldSlots: fieldSlots ?? storage.buffer.pointee.spareSlots)
        cursor.skipWhitespace()
        guard cursor.pos < cursor.count else { return .malformed }

        let result: JSONScanResult
        if cursor.byte(cursor.pos) == JSONByte.openBrace {
            guard cursor.topObject() else { return cursor.failure() }
            result = .object
        } else {
            guard let type = cursor.value() else { return cursor.failure() }
            result = .notObject(type)
        }
        cursor.skipWhitespace()
        guard cursor.pos == cursor.count else {
            storage.buffer.pointee.clear()
            return .malformed
        }
        return result
    }

    /// Gives this scanner a member buffer of its own if it shares one with a copy: what `scan` does first, and what
    /// `scanLine` relies on.
    mutating func makeStorageUnique() {
        if !isKnownUniquelyReferenced(&storage) { storage = MemberStorage() }
    }

    /// Scans the line of NDJSON that starts at `rest`'s start, where `rest` runs on past the line's end (to the end
    /// of a batch): the validation of `scan`, except that a line feed ends the line rather than being whitespace.
    /// Returns the offset of the `\n` that ends a line holding one object (followed by nothing but spaces, tabs
    /// and carriage returns), with its members filled as by `scan`; nil for anything else — a line feed inside
    /// the object, a malformed or non-object line, no line feed before the end of `rest` — after which the caller
    /// finds the line's end and calls `scan` on it.
    ///
    /// The scanner must own its member buffer (`makeStorageUnique`, once per batch; it is not checked per line).
    ///
    /// - Complexity: O(line length); does not allocate after warm-up.
    @inline(__always)
    mutating func scanLine(_ rest: UnsafeRawBufferPointer, fieldSlots: UnsafeMutablePointer<Int32>) -> Int? {
        storage.buffer.pointee.clear()
        guard let base = rest.baseAddress, rest.count <= Int(Int32.max) else { return nil }
        var cursor = ScanCursor(
            base: base, count: rest.count, maxDepth: maxDepth, members: storage.buffer,
            fieldSlots: fieldSlots, lineFeedEnds: true)
        cursor.skipWhitespace()
        guard cursor.pos < cursor.count, cursor.byte(cursor.pos) == JSONByte.openBrace,
            cursor.topObject()
        else {
            storage.buffer.pointee.clear()
            return nil
        }
        cursor.skipWhitespace()
        guard cursor.pos < cursor.count, cursor.byte(cursor.pos) == JSONByte.newline else {
            storage.buffer.pointee.clear()
            return nil
        }
        return cursor.pos
    }

    /// Lists the members of an object value that a previous successful `scan` of the same `bytes` validated (e.g.
    /// a nested object member's value range). Trusts the input is valid; fast. Fills `out` (cleared first).
    ///
    /// `start`/`end` are the object's `valueStart`/`valueEnd` (the `{` and one past the `}`). Offsets in `out` are
    /// relative to `bytes`, like the scanner's. On input that was not validated the result is unspecified, but
    /// reads never leave `bytes`.
    /// - Complexity: O(end - start). Allocates only when `out` must grow beyond its capacity.
    public static func members(
        ofObjectIn bytes: UnsafeRawBufferPointer, start: Int, end: Int, into out: inout [JSONMember]
    ) {
        out.removeAll(keepingCapacity: true)
        guard let base = bytes.baseAddress, start >= 0, start < end else { return }
        var cursor = TrustedCursor(base: base, pos: start, end: min(end, bytes.count))
        guard cursor.peek() == JSONByte.openBrace else { return }
        cursor.pos += 1
        cursor.skipWhitespace()
        while cursor.peek() == JSONByte.quote {
            let keyStart = cursor.pos + 1
            cursor.pos = keyStart
            let keyHasEscapes = cursor.skipString()
            let keyEnd = cursor.pos - 1
            cursor.skipWhitespace()
            guard cursor.peek() == JSONByte.colon else { return }
            cursor.pos += 1
            cursor.skipWhitespace()
            guard let value = cursor.skipValue() else { return }
            out.append(
                JSONMember(
                    keyStart: Int32(truncatingIfNeeded: keyStart), keyEnd: Int32(truncatingIfNeeded: keyEnd),
                    keyHasEscapes: keyHasEscapes, type: value.type,
                    valueStart: Int32(truncatingIfNeeded: value.start), valueEnd: Int32(truncatingIfNeeded: value.end),
                    valueHasEscapes: value.hasEscapes))
            cursor.skipWhitespace()
            guard cursor.peek() == JSONByte.comma else { return }
            cursor.pos += 1
            cursor.skipWhitespace()
        }
    }

    /// Lists element values of an array value that a previous successful `scan` of the same `bytes` validated.
    /// Trusts the input is valid; fast. Fills `out` (cleared first).
    ///
    /// Each element is a `JSONMember` whose key range is empty (`keyStart == keyEnd == valueStart`,
    /// `keyHasEscapes == false`); the value fields follow the same conventions as object members. `start`/`end`
    /// are the array's `valueStart`/`valueEnd` (the `[` and one past the `]`).
    /// - Complexity: O(end - start). Allocates only when `out` must grow beyond its capacity.
    public static func elements(
        ofArrayIn bytes: UnsafeRawBufferPointer, start: Int, end: Int, into out: inout [JSONMember]
    ) {
        out.removeAll(keepingCapacity: true)
        guard let base = bytes.baseAddress, start >= 0, start < end else { return }
        var cursor = TrustedCursor(base: base, pos: start, end: min(end, bytes.count))
        guard cursor.peek() == JSONByte.openBracket else { return }
        cursor.pos += 1
        cursor.skipWhitespace()
        guard cursor.peek() != JSONByte.closeBracket else { return }
        while let value = cursor.skipValue() {
            let valueStart = Int32(truncatingIfNeeded: value.start)
            out.append(
                JSONMember(
                    keyStart: valueStart, keyEnd: valueStart, keyHasEscapes: false, type: value.type,
                    valueStart: valueStart, valueEnd: Int32(truncatingIfNeeded: value.end),
                    valueHasEscapes: value.hasEscapes))
            cursor.skipWhitespace()
            guard cursor.peek() == JSONByte.comma else { return }
            cursor.pos += 1
            cursor.skipWhitespace()
        }
    }
}

// MARK: - Validating cursor

/// The state of one `scan`: a raw pointer, a position and the nesting depth. Methods return `nil`/`false` on the
/// first error; `tooDeep` tells the depth limit apart from other errors.
private struct ScanCursor {
    let base: UnsafeRawPointer
    let count: Int
    let maxDepth: Int
    var pos = 0
    var depth = 0
    var tooDeep = false
    /// Set by `string()`: whether the string just scanned had escapes.
    var lastStringHadEscapes = false
    /// The top-level members being collected (the scanner's buffer, which `scan` keeps alive meanwhile).
    let members: UnsafeMutablePointer<MemberBuffer>
    /// Where the index of a top-level member with a recognised key goes, per field (see `JSONScanner.scan`).
    let fieldSlots: UnsafeMutablePointer<Int32>
    /// `scanLine`: a line feed is not whitespace but the end of the line.
    let lineFeedEnds: Bool

    init(
        base: UnsafeRawPointer, count: Int, maxDepth: Int, members: UnsafeMutablePointer<MemberBuffer>,
        fieldSlots: UnsafeMutablePointer<Int32>, lineFeedEnds: Bool = false
    ) {
        self.base = base
        self.count = count
        self.maxDepth = maxDepth
        self.members = members
        self.fieldSlots = fieldSlots
        self.lineFeedEnds = lineFeedEnds
    }

    @inline(__always)
    func byte(_ offset: Int) -> UInt8 {
        base.load(fromByteOffset: offset, as: UInt8.self)
    }

    /// The sixteen bytes from `offset` on (`offset <= count`) as two little-endian words, zero past `count`.
    /// Within the last sixteen bytes, they are read as the buffer's last sixteen, shifted; nil when the buffer is
    /// shorter than sixteen bytes.
    @inline(__always)
    static func sixteenBytes(_ base: UnsafeRawPointer, _ count: Int, at offset: Int) -> (UInt64, UInt64)? {
        if offset &+ 16 <= count {
            return (
                UInt64(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt64.self)),
                UInt64(littleEndian: base.loadUnaligned(fromByteOffset: offset &+ 8, as: UInt64.self))
            )
        }
        return lastSixteenBytes(base, count, at: offset)
    }

    /// `sixteenBytes` within the last sixteen bytes of the buffer (out of line: rare, and its registers are
    /// better spent on the member loop).
    @inline(never)
    static func lastSixteenBytes(_ base: UnsafeRawPointer, _ count: Int, at offset: Int) -> (UInt64, UInt64)? {
        guard count >= 16 else { return nil }
        let low = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: count - 16, as: UInt64.self))
        let high = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self))
        let shift = UInt128(truncatingIfNeeded: (offset - (count - 16)) * 8)
        let bytes = (UInt128(high) << 64 | UInt128(low)) >> shift
        return (UInt64(truncatingIfNeeded: bytes), UInt64(truncatingIfNeeded: bytes >> 64))
    }

    /// The result for a failed scan; clears the partially filled members.
    func failure() -> JSONScanResult {
        members.pointee.clear()
        return tooDeep ? .tooDeep : .malformed
    }

    @inline(__always)
    mutating func skipWhitespace() {
        while pos < count && JSONByte.isWhitespace(byte(pos)) {
            if lineFeedEnds && byte(pos) == JSONByte.newline { return }
            pos += 1
        }
    }

    /// Scans any value starting at `pos` (which must be in bounds or at the end).
    /// - Returns: the value's type, with `pos` one past it; `nil` when malformed or too deep.
    mutating func value() -> JSONType? {
        guard pos < count else { return nil }
        switch byte(pos) {
        case JSONByte.quote:
            pos += 1
            return string() ? .string : nil
        case JSONByte.openBrace:
            return object() ? .object : nil
        case JSONByte.openBracket:
            return array() ? .array : nil
        case UInt8(ascii: "t"):
            return literal(0x6575_7274, length: 4) ? .true : nil  // "true", little-endian
        case UInt8(ascii: "f"):
            return literal(0x6573_6C61, length: 5) ? .false : nil  // "alse" after the 'f', little-endian
        case UInt8(ascii: "n"):
            return literal(0x6C6C_756E, length: 4) ? .null : nil  // "null", little-endian
        case JSONByte.minus, JSONByte.zero...JSONByte.nine:
            return number() ? .number : nil
        default:
            return nil
        }
    }

    /// Matches `true`/`null` (4 bytes compared as one word) or `false` (the 4 bytes after the `f`).
    @inline(__always)
    mutating func literal(_ word: UInt32, length: Int) -> Bool {
        guard pos + length <= count else { return false }
        let loaded = base.loadUnaligned(fromByteOffset: pos + length - 4, as: UInt32.self)
        guard UInt32(littleEndian: loaded) == word else { return false }
        pos += length
        return true
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`; what follows is checked by the caller.
    @inline(__always)
    mutating func number() -> Bool {
        let end = ScanCursor.numberEnd(base, count, from: pos)
        guard end >= 0 else { return false }
        pos = end
        return true
    }

    /// The number token starting at `p` (`p < n`): one past its last byte, or -1 when it is malformed.
    @inline(__always)
    static func numberEnd(_ base: UnsafeRawPointer, _ n: Int, from start: Int) -> Int {
        @inline(__always) func byte(_ offset: Int) -> UInt8 { base.load(fromByteOffset: offset, as: UInt8.self) }
        @inline(__always) func digitsEnd(_ p: Int) -> Int {
            var p = p
            while p < n && JSONByte.isDigit(byte(p)) { p &+= 1 }
            return p
        }
        var p = start
        if byte(p) == JSONByte.minus {
            p &+= 1
            guard p < n else { return -1 }
        }
        let first = byte(p)
        guard JSONByte.isDigit(first) else { return -1 }
        p &+= 1
        if first != JSONByte.zero { p = digitsEnd(p) }
        if p < n && byte(p) == JSONByte.dot {
            p &+= 1
            guard p < n && JSONByte.isDigit(byte(p)) else { return -1 }
            p = digitsEnd(p)
        }
        if p < n && byte(p) | 0x20 == UInt8(ascii: "e") {
            p &+= 1
            if p < n && (byte(p) == JSONByte.plus || byte(p) == JSONByte.minus) { p &+= 1 }
            guard p < n && JSONByte.isDigit(byte(p)) else { return -1 }
            p = digitsEnd(p)
        }
        return p
    }

    /// Scans a string's content; `pos` is just past the opening quote and ends just past the closing quote.
    /// Sets `lastStringHadEscapes`.
    @inline(__always)
    mutating func string() -> Bool {
        var hasEscapes = false
        let end = ScanCursor.stringEnd(base, count, from: pos, hasEscapes: &hasEscapes)
        guard end >= 0 else { return false }
        pos = end
        lastStringHadEscapes = hasEscapes
        return true
    }

    /// `JSONByte.skipPlainWords` out of line, for the last bytes of a buffer: rare, and the word masks' constants
    /// would take registers the member loop needs.
    @inline(never)
    static func tailPlainEnd(_ base: UnsafeRawPointer, from p: Int, end n: Int) -> Int {
        JSONByte.skipPlainWords(base, from: p, end: n)
    }

    /// The string whose content starts at `start` (just past the opening quote): one past its closing quote, or -1
    /// when it is malformed (a raw control byte, a bad escape, invalid UTF-8, no closing quote before `n`).
    /// `hasEscapes` is set when it holds a backslash escape.
    @_transparent
    static func stringEnd(_ base: UnsafeRawPointer, _ n: Int, from start: Int, hasEscapes: inout Bool) -> Int {
        @inline(__always) func byte(_ offset: Int) -> UInt8 { base.load(fromByteOffset: offset, as: UInt8.self) }
        var p = start
        while true {
            // Fast path: pass over sixteen bytes at a time (eight near the end) of plain ASCII and well-formed
            // two- and three-byte letters, stop at the first byte needing a look.
            if p &+ 16 <= n {
                let run = JSONByte.plainRun16(base + p)
                p &+= run
                if run == 16 { continue }
            } else {
                p = ScanCursor.tailPlainEnd(base, from: p, end: n)
            }
            guard p < n else { return -1 }
            let c = byte(p)
            if c == JSONByte.quote {
                return p &+ 1
            } else if c == JSONByte.backslash {
                var scalar: UInt32 = 0
                let next = JSONEscape.read(base, at: p, count: n, scalar: &scalar)
                guard next > 0 else { return -1 }
                hasEscapes = true
                p = next
            } else if c >= 0x80 {
                // The two- and three-byte forms of Vietnamese letters (U+00C0–U+07FF, U+0800–U+FFFF but not the
                // surrogates) are checked here; anything else goes to the full check.
                if c >= 0xC2 && c <= 0xDF && p &+ 1 < n && byte(p &+ 1) & 0xC0 == 0x80 {
                    p &+= 2
                } else if c >= 0xE1 && c <= 0xEC && p &+ 2 < n && byte(p &+ 1) & 0xC0 == 0x80
                    && byte(p &+ 2) & 0xC0 == 0x80
                {
                    p &+= 3
                } else {
                    let length = JSONUTF8.sequenceLength(base, at: p, count: n)
                    guard length != 0 else { return -1 }
                    p &+= length
                }
            } else if c < 0x20 {
                return -1
            } else {
                p &+= 1  // a plain byte in the last (< 8 byte) tail
            }
        }
    }

    /// One level deeper into a container; false, with `tooDeep` set, past `maxDepth`.
    @inline(__always)
    mutating func enterContainer() -> Bool {
        depth += 1
        guard depth <= maxDepth else {
            tooDeep = true
            return false
        }
        return true
    }

    /// After an element of a nested container: past a comma (nil: another element follows), or past the container's
    /// `closing` byte (true, one level up); false for anything else.
    @inline(__always)
    mutating func separator(closing: UInt8) -> Bool? {
        skipWhitespace()
        guard pos < count else { return false }
        let c = byte(pos)
        pos += 1
        if c == JSONByte.comma {
            skipWhitespace()
            return nil
        }
        if c == closing {
            depth -= 1
            return true
        }
        return false
    }

    /// Scans an array; `pos` is at the `[`.
    mutating func array() -> Bool {
        guard enterContainer() else { return false }
        pos += 1
        skipWhitespace()
        guard pos < count else { return false }
        if byte(pos) == JSONByte.closeBracket {
            pos += 1
            depth -= 1
            return true
        }
        while true {
            guard value() != nil else { return false }
            if let done = separator(closing: JSONByte.closeBracket) { return done }
        }
    }

    /// Scans a nested object; `pos` is at the `{`.
    mutating func object() -> Bool {
        guard enterContainer() else { return false }
        pos += 1
        skipWhitespace()
        guard pos < count else { return false }
        if byte(pos) == JSONByte.closeBrace {
            pos += 1
            depth -= 1
            return true
        }
        while true {
            guard pos < count && byte(pos) == JSONByte.quote else { return false }
            pos += 1
            guard string() else { return false }
            skipWhitespace()
            guard pos < count && byte(pos) == JSONByte.colon else { return false }
            pos += 1
            skipWhitespace()
            guard value() != nil else { return false }
            if let done = separator(closing: JSONByte.closeBrace) { return done }
        }
    }

    /// The first byte at or after `p` that is not whitespace (space, tab, CR, LF), or `n`; with `lineFeedEnds`,
    /// a line feed stops it too.
    @inline(__always)
    static func whitespaceEnd(_ base: UnsafeRawPointer, _ n: Int, _ p: Int, lineFeedEnds: Bool) -> Int {
        var p = p
        while p < n {
            let c = base.load(fromByteOffset: p, as: UInt8.self)
            guard c <= JSONByte.space, JSONByte.isWhitespace(c), !(lineFeedEnds && c == JSONByte.newline) else { break }
            p &+= 1
        }
        return p
    }

    /// Scans the top-level object, `pos` at its `{`, appending each member to `members` and filling `fieldSlots`.
    ///
    /// The position, the member count and the output pointer live in locals for the whole object, and strings and
    /// numbers are scanned by the static helpers on them: the cursor's fields are read and written only around the
    /// rare nested values. (Through `self`, every step stored the position back, since the member writes might
    /// have changed it as far as the compiler knew.)
    mutating func topObject() -> Bool {
        guard enterContainer() else { return false }
        let base = self.base
        let n = count
        let lineFeedEnds = self.lineFeedEnds
        @inline(__always) func byte(_ offset: Int) -> UInt8 { base.load(fromByteOffset: offset, as: UInt8.self) }
        @inline(__always) func whitespaceEnd(_ p: Int) -> Int {
            ScanCursor.whitespaceEnd(base, n, p, lineFeedEnds: lineFeedEnds)
        }
        var p = whitespaceEnd(pos &+ 1)
        guard p < n else { return false }
        if byte(p) == JSONByte.closeBrace {
            pos = p &+ 1
            depth -= 1
            return true
        }
        let members = self.members
        let fieldSlots = self.fieldSlots
        // The keys the previous line of this shape had, member by member.
        var shape = members.pointee.shapes.current
        var out = members.pointee.pointer
        var capacity = members.pointee.capacity
        var index = 0
        var unhinted = 0
        while true {
            guard p < n && byte(p) == JSONByte.quote else { return false }
            let keyStart = p &+ 1
            let keyEnd: Int
            var keyHasEscapes = false
            var fieldHint: Int8 = -2
            // The sixteen bytes from the key on, when this place has remembered keys to compare them with.
            let place = index < ShapeKeys.perShape ? shape + 2 &* index : nil
            let bytes = place == nil ? nil : ScanCursor.sixteenBytes(base, n, at: keyStart)
            // The value's first byte, when the key's match already covered it.
            var first: UInt8 = 0
            if let place, let bytes, let expected = ShapeKeys.match(place, bytes) {
                // The same bytes as a key already validated, closing quote and colon included: valid as they stand.
                keyEnd = keyStart &+ expected.pointee.length &- 2
                fieldHint = expected.pointee.field
                p = keyEnd &+ 2
                first = expected.pointee.valueQuote
            } else {
                let end = ScanCursor.stringEnd(base, n, from: keyStart, hasEscapes: &keyHasEscapes)
                guard end >= 0 else { return false }
                keyEnd = end &- 1
                p = whitespaceEnd(end)
                guard p < n && byte(p) == JSONByte.colon else { return false }
                if let place, let bytes, !keyHasEscapes, p == end, p &+ 1 &- keyStart <= 16 {
                    let opensString = p &+ 2 &- keyStart <= 16 && p &+ 1 < n && byte(p &+ 1) == JSONByte.quote
                    fieldHint = ShapeKeys.record(
                        place, bytes, key: base + keyStart, length: p &+ 1 &- keyStart, opensString: opensString)
                }
                p &+= 1
            }
            if first == 0 {
                p = whitespaceEnd(p)
                first = p < n ? byte(p) : 0
            }
            let valueStart: Int
            let valueEnd: Int
            var valueHasEscapes = false
            let type: JSONType
            if first == JSONByte.quote {
                // Most values are strings, and most others numbers: scanned here rather than through `value()`.
                let end = ScanCursor.stringEnd(base, n, from: p &+ 1, hasEscapes: &valueHasEscapes)
                guard end >= 0 else { return false }
                (valueStart, valueEnd, type) = (p &+ 1, end &- 1, .string)
                p = end
            } else if first == JSONByte.minus || JSONByte.isDigit(first) {
                let end = ScanCursor.numberEnd(base, n, from: p)
                guard end >= 0 else { return false }
                (valueStart, valueEnd, type) = (p, end, .number)
                p = end
            } else {
                pos = p
                guard let other = value() else { return false }
                (valueStart, valueEnd, type) = (p, pos, other)
                p = pos
            }
            if index == capacity {
                members.pointee.count = index
                members.pointee.grow()
                out = members.pointee.pointer
                capacity = members.pointee.capacity
            }
            (out + index).initialize(
                to: JSONMember(
                    keyStart: Int32(truncatingIfNeeded: keyStart), keyEnd: Int32(truncatingIfNeeded: keyEnd),
                    keyHasEscapes: keyHasEscapes, type: type,
                    valueStart: Int32(truncatingIfNeeded: valueStart),
                    valueEnd: Int32(truncatingIfNeeded: valueEnd),
                    valueHasEscapes: valueHasEscapes, fieldHint: fieldHint))
            if fieldHint >= 0 {
                fieldSlots[Int(fieldHint)] = Int32(truncatingIfNeeded: index)
            } else if fieldHint == -2 {
                unhinted &+= 1
            }
            if index == 0 {
                // Lines of one kind share their keys: the first value (`kind`) picks the shape to expect.
                shape = members.pointee.shapes.select(
                    first: valueEnd > valueStart ? byte(valueStart) : 0, count: valueEnd &- valueStart)
            }
            index &+= 1
            // Most members are followed straight by `,"`: the next key's quote.
            if p &+ 2 <= n && UInt16(littleEndian: base.loadUnaligned(fromByteOffset: p, as: UInt16.self)) == 0x222C {
                p &+= 1
                continue
            }
            p = whitespaceEnd(p)
            guard p < n else { return false }
            let c = byte(p)
            p &+= 1
            if c == JSONByte.comma {
                p = whitespaceEnd(p)
            } else if c == JSONByte.closeBrace {
                depth -= 1
                pos = p
                members.pointee.count = index
                members.pointee.unhinted = unhinted
                return true
            } else {
                return false
            }
        }
    }
}

// MARK: - Trusting cursor

/// Walks already-validated JSON without checking the grammar: it only finds where values end. Every read is
/// bounds-checked against `end`, so misuse yields nonsense offsets, never out-of-bounds reads.
private struct TrustedCursor {
    let base: UnsafeRawPointer
    var pos: Int
    let end: Int

    /// The byte at `pos`, or 0 past the end (0 never starts or continues valid JSON).
    @inline(__always)
    func peek() -> UInt8 {
        pos < end ? base.load(fromByteOffset: pos, as: UInt8.self) : 0
    }

    @inline(__always)
    mutating func skipWhitespace() {
        while pos < end && JSONByte.isWhitespace(base.load(fromByteOffset: pos, as: UInt8.self)) {
            pos += 1
        }
    }

    /// Skips a string's content from just past the opening quote to just past the closing quote.
    /// - Returns: whether the string had escapes.
    mutating func skipString() -> Bool {
        var hasEscapes = false
        while pos < end {
            pos = JSONByte.skipPlainWords(base, from: pos, end: end)
            guard pos < end else { break }
            let c = base.load(fromByteOffset: pos, as: UInt8.self)
            if c == JSONByte.quote {
                pos += 1
                return hasEscapes
            } else if c == JSONByte.backslash {
                hasEscapes = true
                pos += 2  // the escaped byte can't end the string; \uXXXX's hex digits are plain bytes
            } else {
                pos += 1
            }
        }
        pos = end
        return hasEscapes
    }

    /// Skips one value starting at `pos`.
    /// - Returns: its type and range (string ranges exclude the quotes), or nil at the end of the range.
    mutating func skipValue() -> (type: JSONType, start: Int, end: Int, hasEscapes: Bool)? {
        let start = pos
        switch peek() {
        case JSONByte.quote:
            pos += 1
            let hasEscapes = skipString()
            return (.string, start + 1, pos - 1, hasEscapes)
        case JSONByte.openBrace:
            skipContainer()
            return (.object, start, pos, false)
        case JSONByte.openBracket:
            skipContainer()
            return (.array, start, pos, false)
        case UInt8(ascii: "t"):
            pos = min(pos + 4, end)
            return (.true, start, pos, false)
        case UInt8(ascii: "f"):
            pos = min(pos + 5, end)
            return (.false, start, pos, false)
        case UInt8(ascii: "n"):
            pos = min(pos + 4, end)
            return (.null, start, pos, false)
        case JSONByte.minus, JSONByte.zero...JSONByte.nine:
            pos += 1
            while true {
                let c = peek()
                guard
                    JSONByte.isDigit(c) || c == JSONByte.dot || c | 0x20 == UInt8(ascii: "e")
                        || c == JSONByte.plus || c == JSONByte.minus
                else { break }
                pos += 1
            }
            return (.number, start, pos, false)
        default:
            return nil
        }
    }

    /// Skips an object or array from its opening bracket to one past the matching closing one.
    mutating func skipContainer() {
        var depth = 0
        while pos < end {
            let c = base.load(fromByteOffset: pos, as: UInt8.self)
            pos += 1
            switch c {
            case JSONByte.quote:
                _ = skipString()
            case JSONByte.openBrace, JSONByte.openBracket:
                depth += 1
            case JSONByte.closeBrace, JSONByte.closeBracket:
                depth -= 1
                if depth == 0 { return }
            default:
                break
            }
        }
    }
}

/// What one scanner reuses across lines: a growable raw buffer of members and the keys its lines had. It lives in
/// memory of its own, which the cursor reaches through a plain pointer: a line costs no reference counting (a
/// retain and a release per line were 7 % of the run time, atomic operations stalling the core).
/// Not copyable: it owns its memory, which it frees when it goes away.
struct MemberBuffer: ~Copyable {
    private(set) var pointer: UnsafeMutablePointer<JSONMember>
    private(set) var capacity: Int
    var count = 0
    /// Members whose key the scanner did not recognise (`fieldHint` -2).
    var unhinted = 0
    var shapes = ShapeKeys()
    /// The field table written when the caller passes none.
    let spareSlots: UnsafeMutablePointer<Int32>

    init(capacity: Int) {
        pointer = .allocate(capacity: capacity)
        self.capacity = capacity
        spareSlots = .allocate(capacity: Field.count)
        spareSlots.initialize(repeating: -1, count: Field.count)
    }

    deinit {
        pointer.deallocate()
        spareSlots.deallocate()
    }

    /// Forgets the members (a new scan, or a failed one).
    mutating func clear() {
        count = 0
        unhinted = 0
    }

    /// Doubles the capacity, keeping the first `count` members.
    ///
    /// - Complexity: O(count); allocates.
    mutating func grow() {
        pointer = pointer.doubled(count: count, capacity: capacity)
        capacity *= 2
    }
}

/// Owns one scanner's `MemberBuffer`. `@unchecked Sendable`: a scanner copied to another thread gets its own at
/// its next `scan`.
final class MemberStorage: @unchecked Sendable {
    let buffer: UnsafeMutablePointer<MemberBuffer>

    init(capacity: Int = 32) {
        buffer = .allocate(capacity: 1)
        buffer.initialize(to: MemberBuffer(capacity: capacity))
    }

    deinit {
        buffer.deinitialize(count: 1)
        buffer.deallocate()
    }
}

/// One expected top-level key: its bytes, closing quote and colon included, and the opening quote of its value when
/// that line's value was a string right after the colon (at most 16 bytes), as two masked words.
///
/// Every entry holds the bytes of a key some line had and the scanner validated, or, before that, `":` (the empty
/// key, also valid): so bytes that match an entry are a valid key as they stand, whatever they are, and when the
/// entry has `valueQuote`, the value that follows is a string starting right there.
struct ShapeKey {
    var words: (UInt64, UInt64) = (0x3A22, 0)
    var masks: (UInt64, UInt64) = (0xFFFF, 0)
    /// Bytes of the key plus 2 (quote and colon).
    var length = 2
    /// The native field the key names (`Field.index`), or -1.
    var field: Int8 = -1
    /// `"` when the compared bytes go on with the opening quote of a string value right after the colon, else 0.
    var valueQuote: UInt8 = 0

    /// Whether `bytes` (sixteen input bytes as little-endian words, zero past the input's end) start with this
    /// key, its quote and its colon. No key, quote or colon holds a zero byte, so the zeros never match.
    @inline(__always)
    func matches(_ bytes: (UInt64, UInt64)) -> Bool {
        (bytes.0 ^ words.0) & masks.0 | (bytes.1 ^ words.1) & masks.1 == 0
    }

    /// Remembers the first `length` (2...16) of `bytes`: a key the scanner just validated (no escapes, at `key`),
    /// its closing quote and its colon, and with `opensString` the byte after them too, a string value's opening
    /// quote (`length` + 1 at most 16). Returns the native field it names (`Field.index`), or -1.
    mutating func record(_ bytes: (UInt64, UInt64), key: UnsafeRawPointer, length: Int, opensString: Bool) -> Int8 {
        field = Field.lookup(UnsafeRawBufferPointer(start: key, count: length - 2)).map { Int8($0.rawValue) } ?? -1
        func mask(_ bytes: Int) -> UInt64 { bytes >= 8 ? .max : bytes <= 0 ? 0 : (1 << UInt64(bytes * 8)) - 1 }
        let compared = opensString ? length + 1 : length
        masks = (mask(compared), mask(compared - 8))
        words = (bytes.0 & masks.0, bytes.1 & masks.1)
        self.length = length
        valueQuote = opensString ? JSONByte.quote : 0
        return field
    }
}

/// The keys of recent lines, member by member, in a few shapes chosen by the first member's value (a feed's
/// `kind`): the scanner compares a key with the one expected at its place before it scans it byte by byte, and a
/// key that matches is read in two loads. A guess only: a key that differs is scanned and remembered.
///
/// Not copyable: it owns its table, which it frees when it goes away.
struct ShapeKeys: ~Copyable {
    /// Keys remembered per shape (members after these are always scanned).
    static let perShape = 24
    static let shapeCount = 8

    private let keys: UnsafeMutablePointer<ShapeKey>
    /// The shape the last line had, expected for the next line's first key.
    private(set) var current: UnsafeMutablePointer<ShapeKey>

    /// Entries per shape: two per member place (lines of one kind come in a few variants, such as a report with
    /// and without `text`, so the key at a place alternates).
    private static let entries = 2 * perShape

    init() {
        keys = .allocate(capacity: ShapeKeys.entries * ShapeKeys.shapeCount)
        keys.initialize(repeating: ShapeKey(), count: ShapeKeys.entries * ShapeKeys.shapeCount)
        current = keys
    }

    deinit { keys.deallocate() }

    /// The entry of the pair at `place` whose key `bytes` start with, if any.
    @inline(__always)
    static func match(
        _ place: UnsafeMutablePointer<ShapeKey>, _ bytes: (UInt64, UInt64)
    ) -> UnsafeMutablePointer<ShapeKey>? {
        if place.pointee.matches(bytes) { return place }
        if place[1].matches(bytes) { return place + 1 }
        return nil
    }

    /// Remembers a key at `place` (see `ShapeKey.record`), the pair's older entry making room.
    static func record(
        _ place: UnsafeMutablePointer<ShapeKey>, _ bytes: (UInt64, UInt64), key: UnsafeRawPointer, length: Int,
        opensString: Bool
    ) -> Int8 {
        place[1] = place[0]
        return place.pointee.record(bytes, key: key, length: length, opensString: opensString)
    }

    /// The shape for lines whose first value has this first byte and length (a string's content; any other
    /// token's bytes); made the current one.
    @inline(__always)
    mutating func select(first: UInt8, count: Int) -> UnsafeMutablePointer<ShapeKey> {
        let shape = (Int(first) &+ count &* 3) & (ShapeKeys.shapeCount - 1)
        current = keys + shape * ShapeKeys.entries
        return current
    }
}
