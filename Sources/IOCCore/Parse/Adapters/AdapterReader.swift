/// Typed access to the members of a line in one of the adapter formats, indexed by `Field.adapterLookup`.
///
/// Unlike the native `MemberReader`, it reads values wherever they are (top-level members, nested objects,
/// NGSI attribute wrappers), so each method takes a `JSONMember` rather than a field.
struct AdapterReader: ScannedMembers {
    let line: UnsafeRawBufferPointer
    let base: Int
    let members: UnsafeBufferPointer<JSONMember>
    let slots: UnsafeMutablePointer<Int32>

    /// A member that is present and not `null`.
    @inline(__always)
    func present(_ f: Field) -> JSONMember? {
        guard let m = member(f), m.type != .null else { return nil }
        return m
    }

    /// A string or number value as an event string: in place when it has no escapes, else unescaped into
    /// `strings` (top bit set).
    ///
    /// - Complexity: O(value length); allocates only when `strings` grows.
    func ref(_ m: JSONMember, strings: inout [UInt8]) -> ByteRef {
        if !m.valueHasEscapes {
            return ByteRef(start: UInt32(base + Int(m.valueStart)), count: UInt32(m.valueEnd - m.valueStart))
        }
        let start = strings.count
        JSONString.unescape(bytes(m), into: &strings)
        return ByteRef(start: 0x8000_0000 | UInt32(start), count: UInt32(strings.count - start))
    }

    /// Runs `body` on the unescaped bytes of a string value (through `scratch` when it has escapes).
    func withString<R>(_ m: JSONMember, scratch: inout [UInt8], _ body: (UnsafeRawBufferPointer) -> R) -> R {
        if !m.valueHasEscapes { return body(bytes(m)) }
        scratch.removeAll(keepingCapacity: true)
        JSONString.unescape(bytes(m), into: &scratch)
        return scratch.withUnsafeBytes(body)
    }

    /// Whether a string value is empty, or `null` written as a string (`"null"`, `"NULL"`), as Open311 dumps do.
    func isNullString(_ m: JSONMember) -> Bool {
        guard m.type == .string else { return false }
        let raw = bytes(m)
        return raw.isEmpty || AdapterText.equalsIgnoringCase(raw, "null")
    }

    /// The members of an object value, into `out`.
    ///
    /// - Complexity: O(value length); allocates only when `out` grows.
    func nested(_ m: JSONMember, into out: inout [JSONMember]) {
        JSONScanner.members(ofObjectIn: line, start: Int(m.valueStart), end: Int(m.valueEnd), into: &out)
    }

    /// The last member of `list` named `key` (compared after unescaping when the key has escapes).
    func find(_ key: StaticString, in list: [JSONMember], scratch: inout [UInt8]) -> JSONMember? {
        for m in list.reversed() {
            let raw = m.key(in: line)
            if !m.keyHasEscapes {
                if JSONString.equals(raw, key) { return m }
            } else {
                scratch.removeAll(keepingCapacity: true)
                JSONString.unescape(raw, into: &scratch)
                if scratch.withUnsafeBytes({ JSONString.equals($0, key) }) { return m }
            }
        }
        return nil
    }

    /// A number value, or a string holding a JSON number (`"37.76"`, as messy feeds write); nil for anything
    /// else or a number that is not finite.
    func number(_ m: JSONMember, scratch: inout [UInt8]) -> Double? {
        switch m.type {
        case .number: return JSONNumber.double(bytes(m))
        case .string:
            return withString(m, scratch: &scratch) { AdapterText.isNumberToken($0) ? JSONNumber.double($0) : nil }
        default: return nil
        }
    }

    /// The event time of a date-time string value (see `AdapterTime`), or nil.
    func time(_ m: JSONMember, scratch: inout [UInt8]) -> Int64? {
        guard m.type == .string else { return nil }
        return withString(m, scratch: &scratch) { AdapterTime.parse($0) }
    }
}

/// Date-times as the adapted feeds write them.
enum AdapterTime {
    /// RFC 3339 with a `±hh:mm` or `±hhmm` offset (Suricata writes `-0500`), or with no offset at all, read as UTC
    /// (Suricata on a UTC host and FIWARE examples write `2016-12-07T11:10:00`; NGSI brokers store such values as
    /// UTC).
    ///
    /// - Complexity: O(n); does not allocate (a date-time with a missing offset is completed on the stack).
    static func parse(_ raw: UnsafeRawBufferPointer) -> Int64? {
        if let t = Timestamp.parse(raw, allowCompactOffset: true) { return t }
        let n = raw.count
        guard n >= 19, n <= 64, JSONByte.isDigit(raw[n - 1]) else { return nil }
        return withUnsafeTemporaryAllocation(byteCount: n + 1, alignment: 1) { buffer in
            buffer.copyMemory(from: raw)
            buffer[n] = UInt8(ascii: "Z")
            return Timestamp.parse(UnsafeRawBufferPointer(buffer), allowCompactOffset: true)
        }
    }

    /// The start and end of an ISO 8601 interval `start/end`, or the instant itself (as the end, without a start)
    /// when there is no `/`; nil when either time does not parse.
    static func interval(_ raw: UnsafeRawBufferPointer) -> (start: Int64?, end: Int64)? {
        guard let slash = raw.firstIndex(of: UInt8(ascii: "/")) else {
            return parse(raw).map { (nil, $0) }
        }
        guard let start = parse(UnsafeRawBufferPointer(rebasing: raw[..<slash])),
            let end = parse(UnsafeRawBufferPointer(rebasing: raw[(slash + 1)...]))
        else { return nil }
        return (start, end)
    }
}

/// Byte-level text helpers for the adapters.
enum AdapterText {
    /// ASCII case-insensitive comparison with a lower-case literal.
    static func equalsIgnoringCase(_ raw: UnsafeRawBufferPointer, _ literal: StaticString) -> Bool {
        guard raw.count == literal.utf8CodeUnitCount else { return false }
        let lit = literal.utf8Start
        for i in 0..<raw.count {
            var c = raw[i]
            if c >= 0x41 && c <= 0x5A { c |= 0x20 }
            if c != lit[i] { return false }
        }
        return true
    }

    /// Whether `raw` is exactly one JSON number token (so `JSONNumber.double` may read it).
    static func isNumberToken(_ raw: UnsafeRawBufferPointer) -> Bool {
        var i = 0
        let n = raw.count
        if i < n && raw[i] == UInt8(ascii: "-") { i += 1 }
        guard i < n, JSONByte.isDigit(raw[i]) else { return false }
        if raw[i] == UInt8(ascii: "0") {
            i += 1
        } else {
            while i < n && JSONByte.isDigit(raw[i]) { i += 1 }
        }
        if i < n && raw[i] == UInt8(ascii: ".") {
            i += 1
            guard i < n, JSONByte.isDigit(raw[i]) else { return false }
            while i < n && JSONByte.isDigit(raw[i]) { i += 1 }
        }
        if i < n && raw[i] | 0x20 == UInt8(ascii: "e") {
            i += 1
            if i < n && (raw[i] == UInt8(ascii: "+") || raw[i] == UInt8(ascii: "-")) { i += 1 }
            guard i < n, JSONByte.isDigit(raw[i]) else { return false }
            while i < n && JSONByte.isDigit(raw[i]) { i += 1 }
        }
        return i == n
    }

    /// The part of a name after its last `/`, `#` or `:` (an NGSI-LD type may be a URI or prefixed).
    static func localName(_ raw: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        var start = raw.count
        while start > 0 {
            let c = raw[start - 1]
            if c == 0x2F || c == 0x23 || c == 0x3A { break }
            start -= 1
        }
        return UnsafeRawBufferPointer(rebasing: raw[start...])
    }
}
