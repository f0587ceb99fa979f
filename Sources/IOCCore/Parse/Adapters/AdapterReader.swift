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

    /// The start and end of an ISO 8601 interval, `start/end`, `start/duration` or `duration/end` (a sensor that
    /// reports `2026-11-22T07:10:00Z/PT5M`), or the instant itself (as the end, without a start) when there is no
    /// `/`; nil when a part does not parse, or the interval leaves the range of times.
    static func interval(_ raw: UnsafeRawBufferPointer) -> (start: Int64?, end: Int64)? {
        guard let slash = raw.firstIndex(of: UInt8(ascii: "/")) else {
            return parse(raw).map { (nil, $0) }
        }
        let left = UnsafeRawBufferPointer(rebasing: raw[..<slash])
        let right = UnsafeRawBufferPointer(rebasing: raw[(slash + 1)...])
        if right.first == UInt8(ascii: "P") {
            guard let start = parse(left), let length = duration(right) else { return nil }
            let (end, overflow) = start.addingReportingOverflow(length)
            return overflow || end == .min ? nil : (start, end)
        }
        if left.first == UInt8(ascii: "P") {
            guard let end = parse(right), let length = duration(left) else { return nil }
            let (start, overflow) = end.subtractingReportingOverflow(length)
            return overflow || start == .min ? nil : (start, end)
        }
        guard let start = parse(left), let end = parse(right) else { return nil }
        return (start, end)
    }

    /// An ISO 8601 duration of weeks, days, hours, minutes and seconds (`PT5M`, `PT1H30M`, `P1D`, `PT0.5S`, `P2W`),
    /// in nanoseconds; nil for anything else. Years and months have no fixed length, so a duration naming them is
    /// nil (no observation period is measured in months); a day is 24 hours (the interval's times are UTC
    /// instants). A fraction (`.` or `,`, up to nine digits) is taken on the seconds only.
    ///
    /// - Complexity: O(n); does not allocate.
    static func duration(_ raw: UnsafeRawBufferPointer) -> Int64? {
        let n = raw.count
        guard n >= 3, raw[0] == UInt8(ascii: "P") else { return nil }
        var i = 1
        var total: Int64 = 0
        var inTime = false
        var components = 0
        // Designators in the order ISO 8601 writes them: W, D, then after `T` H, M, S.
        var lastRank = 0
        while i < n {
            if raw[i] == UInt8(ascii: "T") {
                guard !inTime else { return nil }
                inTime = true
                i += 1
                guard i < n else { return nil }
                continue
            }
            var whole: Int64 = 0
            var digits = 0
            while i < n, JSONByte.isDigit(raw[i]) {
                guard digits < 12 else { return nil }
                whole = whole * 10 + Int64(raw[i] - 0x30)
                digits += 1
                i += 1
            }
            guard digits > 0 else { return nil }
            var fraction: Int64 = 0
            var hasFraction = false
            if i < n, raw[i] == UInt8(ascii: ".") || raw[i] == UInt8(ascii: ",") {
                hasFraction = true
                i += 1
                var scale: Int64 = 100_000_000
                var fractionDigits = 0
                while i < n, JSONByte.isDigit(raw[i]) {
                    guard fractionDigits < 9 else { return nil }
                    fraction += Int64(raw[i] - 0x30) * scale
                    scale /= 10
                    fractionDigits += 1
                    i += 1
                }
                guard fractionDigits > 0 else { return nil }
            }
            guard i < n else { return nil }
            let unit: (rank: Int, nanos: Int64)
            switch (inTime, raw[i]) {
            case (false, UInt8(ascii: "W")): unit = (1, 604_800_000_000_000)
            case (false, UInt8(ascii: "D")): unit = (2, 86_400_000_000_000)
            case (true, UInt8(ascii: "H")): unit = (3, 3_600_000_000_000)
            case (true, UInt8(ascii: "M")): unit = (4, 60_000_000_000)
            case (true, UInt8(ascii: "S")): unit = (5, 1_000_000_000)
            default: return nil
            }
            i += 1
            guard unit.rank > lastRank, !hasFraction || unit.rank == 5 else { return nil }
            lastRank = unit.rank
            let (part, overflow) = whole.multipliedReportingOverflow(by: unit.nanos)
            guard !overflow else { return nil }
            let (sum, overflowSum) = total.addingReportingOverflow(part &+ fraction)
            guard !overflowSum else { return nil }
            total = sum
            components += 1
        }
        // `PT` alone, or `P1DT`, names nothing after the `T`.
        guard components > 0, !inTime || lastRank >= 3 else { return nil }
        return total
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
