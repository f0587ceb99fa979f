/// What became of one line.
public enum LineOutcome: Equatable, Sendable {
    case accepted
    case rejected(RejectReason)
    /// Recognised but not an event we track (e.g. a Suricata `flow` record): counted, not rejected.
    case ignored
}

/// Turns one line of JSON into a typed `Event`, or says exactly why it cannot (SPEC §2, §7).
///
/// Strings that need no unescaping are referenced in place (`ByteRef` into the caller's buffer, offset by
/// `base`); escaped ones are decoded into `strings`, the caller's reusable store. Members are checked in a fixed
/// order, so a line with several faults always gets the same reason: `kind`, `ts`, `district`, then the kind's
/// members in the order of SPEC §2.
///
/// `null` for an optional member means the member is absent; `null` for a required member is `bad_type`.
///
/// Lines in another feed's format (Open311, Suricata EVE, FIWARE NGSI) are read by the adapters under
/// `Parse/Adapters/` (SPEC §8), chosen by `format`.
public struct EventValidator: Sendable {
    /// Reject events more than this far ahead of the wall clock (`--max-future`), in nanoseconds.
    public var maxFuture: Int64

    public private(set) var scanner = JSONScanner()
    /// Index into `scanner.members` of the last member with each known name, or -1.
    private var slots = SlotTable()
    private var scratch: [UInt8] = []
    /// The last minutes and offset of `ts` and of `due` values (consecutive events mostly share them).
    private var dates = DateCaches()
    private var adapters: FeedAdapters

    /// The input format (`--format`): native lines, one adapted feed, or each line recognised on its own.
    public var format: FeedFormat {
        get { adapters.format }
        set { adapters.format = newValue }
    }

    /// The adapters' configurable mapping (the rules' `adapters` section).
    public var adapterRules: AdapterRules {
        get { adapters.rules }
        set { adapters.rules = newValue }
    }

    /// The latest accepted event time: now + `--max-future`, saturating (a huge `--max-future` means "no limit",
    /// not a wrapped negative bound).
    @inline(__always)
    static func futureLimit(now: Int64, maxFuture: Int64) -> Int64 {
        now.saturatingAdding(maxFuture)
    }

    public init(maxFuture: Int64 = 300_000_000_000, format: FeedFormat = .auto, adapterRules: AdapterRules = .default) {
        self.maxFuture = maxFuture
        adapters = FeedAdapters(format: format, rules: adapterRules)
        scratch.reserveCapacity(256)
    }

    /// Validates `line`, filling `event` on success.
    ///
    /// - Parameters:
    ///   - line: one line without its terminator.
    ///   - base: offset of `line` in the buffer that `ByteRef`s refer to.
    ///   - now: the wall clock, nanoseconds since the epoch, for the `future` check.
    ///   - strings: store for unescaped strings; `ByteRef`s into it have the top bit set.
    /// - Complexity: O(line length); does not allocate after warm-up.
    public mutating func validate(
        _ line: UnsafeRawBufferPointer, base: Int, now: Int64, into event: inout Event, strings: inout [UInt8]
    ) -> LineOutcome {
        prepareForLines()
        let table = clearedTable()
        // Most keys come with their field already known (the scanner saw the same key on an earlier line): the
        // scanner fills the table with those, and only the rest are looked up here.
        switch scanner.scan(line, fieldSlots: table) {
        case .object: break
        case .notObject: return .rejected(.notObject)
        case .malformed, .tooDeep: return .rejected(.malformedJSON)
        }
        return validateScanned(line, base: base, now: now, table: table, into: &event, strings: &strings)
    }

    /// Gives this validator its own field table and member buffer if it shares them with a copy: what `validate`
    /// does first, and what `validateLine` relies on (a batch needs it once, not per line).
    mutating func prepareForLines() {
        if !isKnownUniquelyReferenced(&slots) { slots = SlotTable() }
        scanner.makeStorageUnique()
    }

    /// `validate` for a line whose end is not known yet: `rest` runs from the line's start to the end of the
    /// batch, and the scan finds where the line ends (`JSONScanner.scanLine`). Returns the outcome and the length
    /// of the line without its `\n` and a `\r` before it, as `validate` would give for those bytes; nil when the
    /// line is not a well-formed object ending at a `\n`, for the caller to cut the line and call `validate`.
    ///
    /// The validator must own its table and member buffer (`prepareForLines`, once per batch).
    ///
    /// - Complexity: O(line length); does not allocate after warm-up.
    @inline(__always)
    mutating func validateLine(
        _ rest: UnsafeRawBufferPointer, base: Int, now: Int64, into event: inout Event, strings: inout [UInt8]
    ) -> (outcome: LineOutcome, length: Int)? {
        let table = clearedTable()
        guard let newline = scanner.scanLine(rest, fieldSlots: table) else { return nil }
        var length = newline
        if length > 0 && rest[length - 1] == JSONByte.carriageReturn { length -= 1 }
        let line = UnsafeRawBufferPointer(rebasing: rest[0..<length])
        return (validateScanned(line, base: base, now: now, table: table, into: &event, strings: &strings), length)
    }

    /// The field table, every entry -1 (no member seen yet).
    @inline(__always)
    private func clearedTable() -> UnsafeMutablePointer<Int32> {
        slots.pointer.update(repeating: -1, count: Field.count)
        return slots.pointer
    }

    /// What follows a successful scan of `line` into an object: the fields the scanner did not recognise looked
    /// up, then the event read from the members.
    @inline(__always)
    private mutating func validateScanned(
        _ line: UnsafeRawBufferPointer, base: Int, now: Int64, table: UnsafeMutablePointer<Int32>,
        into event: inout Event, strings: inout [UInt8]
    ) -> LineOutcome {
        let unhinted = scanner.unhintedMembers
        let outcome: LineOutcome = scanner.withMembers { members in
            if unhinted > 0 {
                for i in 0..<members.count where members[i].fieldHint == -2 {
                    let m = members[i]
                    let key = UnsafeRawBufferPointer(rebasing: line[Int(m.keyStart)..<Int(m.keyEnd)])
                    let field: Field?
                    if !m.keyHasEscapes {
                        field = Field.lookup(key)
                    } else {
                        scratch.removeAll(keepingCapacity: true)
                        JSONString.unescape(key, into: &scratch)
                        field = scratch.withUnsafeBytes { Field.lookup($0) }
                    }
                    // The last member with a key wins, whether the scanner or this loop found its field.
                    if let field, table[field.index] < Int32(i) { table[field.index] = Int32(i) }
                }
            }
            let hasKind = table[Field.kind.index] >= 0
            // `--format ioc` is the native schema alone; `auto` asks the adapters only about lines without `kind`.
            if adapters.format != .ioc && (!hasKind || adapters.format != .auto),
                let adapted = adapters.adapt(
                    line, base: base, members: members, hasKind: hasKind, now: now, maxFuture: maxFuture,
                    into: &event, strings: &strings, scratch: &scratch)
            {
                return adapted
            }
            var reader = MemberReader(line: line, base: base, members: members, slots: table)
            do throws(RejectReason) {
                try reader.fill(
                    &event, now: now, maxFuture: maxFuture, strings: &strings, scratch: &scratch, dates: &dates)
                return .accepted
            } catch {
                return .rejected(error)
            }
        }
        if outcome == .accepted {
            event.lineStart = UInt32(base)
            event.lineCount = UInt32(line.count)
        }
        return outcome
    }
}

/// Reads typed members of one scanned line; every failure is a `RejectReason`.
struct MemberReader: ScannedMembers {
    let line: UnsafeRawBufferPointer
    let base: Int
    let members: UnsafeBufferPointer<JSONMember>
    let slots: UnsafeMutablePointer<Int32>

    /// A string member as a reference; `required` turns absence into `missing_field`.
    @inline(__always)
    mutating func string(_ f: Field, required: Bool, strings: inout [UInt8]) throws(RejectReason) -> ByteRef {
        guard let m = member(f), m.type != .null || required else {
            if required { throw .missingField(f) }
            return .absent
        }
        guard m.type == .string else { throw .badType(f) }
        if !m.valueHasEscapes {
            return ByteRef(start: UInt32(base + Int(m.valueStart)), count: UInt32(m.valueEnd - m.valueStart))
        }
        let start = strings.count
        JSONString.unescape(bytes(m), into: &strings)
        return ByteRef(start: 0x8000_0000 | UInt32(start), count: UInt32(strings.count - start))
    }

    /// Runs `body` on the unescaped bytes of a string member (via `scratch` when it has escapes); nil when
    /// the member is absent or null and not required.
    @inline(__always)
    func text<R>(
        _ f: Field, required: Bool, scratch: inout [UInt8],
        _ body: (UnsafeRawBufferPointer) throws(RejectReason) -> R
    ) throws(RejectReason) -> R? {
        guard let m = member(f), m.type != .null || required else {
            if required { throw .missingField(f) }
            return nil
        }
        guard m.type == .string else { throw .badType(f) }
        if !m.valueHasEscapes { return try body(bytes(m)) }
        scratch.removeAll(keepingCapacity: true)
        JSONString.unescape(bytes(m), into: &scratch)
        let result = scratch.withUnsafeBytes { raw -> Result<R, RejectReason> in
            do throws(RejectReason) {
                return .success(try body(raw))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    @inline(__always)
    func number(_ f: Field, required: Bool) throws(RejectReason) -> Double? {
        guard let m = member(f), m.type != .null || required else {
            if required { throw .missingField(f) }
            return nil
        }
        guard m.type == .number else { throw .badType(f) }
        guard let v = JSONNumber.double(bytes(m)) else { throw .badValue(f) }
        return v
    }

    @inline(__always)
    func integer(_ f: Field, required: Bool) throws(RejectReason) -> Int64? {
        guard let m = member(f), m.type != .null || required else {
            if required { throw .missingField(f) }
            return nil
        }
        guard m.type == .number else { throw .badType(f) }
        switch JSONNumber.integer(bytes(m)) {
        case .value(let v): return v
        case .notInteger: throw .badType(f)
        case .outOfRange: throw .badValue(f)
        }
    }

    @inline(__always)
    static func equals(_ raw: UnsafeRawBufferPointer, _ literal: StaticString) -> Bool {
        JSONString.equals(raw, literal)
    }

    mutating func fill(
        _ e: inout Event, now: Int64, maxFuture: Int64, strings: inout [UInt8], scratch: inout [UInt8],
        dates: inout DateCaches
    ) throws(RejectReason) {
        e = Event()
        // kind
        e.kind = try text(.kind, required: true, scratch: &scratch) { (raw) throws(RejectReason) in
            let eq = MemberReader.equals
            if eq(raw, "field_report") { return .fieldReport }
            if eq(raw, "traffic") { return .traffic }
            if eq(raw, "security") { return .security }
            if eq(raw, "service") { return .service }
            if eq(raw, "metric") { return .metric }
            throw .unknownKind
        }!
        // ts
        let parsed = try text(.ts, required: true, scratch: &scratch) { Timestamp.parse($0, cache: &dates.ts) }
        guard let ts = parsed ?? nil else { throw .badTimestamp }
        if ts > EventValidator.futureLimit(now: now, maxFuture: maxFuture) { throw .future }
        e.ts = ts
        e.district = try string(.district, required: false, strings: &strings)

        switch e.kind {
        case .fieldReport: try fillReport(&e, strings: &strings, scratch: &scratch)
        case .traffic: try fillTraffic(&e, strings: &strings)
        case .security: try fillSecurity(&e, strings: &strings)
        case .service: try fillService(&e, strings: &strings, scratch: &scratch, dates: &dates)
        case .metric: try fillMetric(&e, strings: &strings, scratch: &scratch)
        }
    }

    private mutating func fillReport(
        _ e: inout Event, strings: inout [UInt8], scratch: inout [UInt8]
    )
        throws(RejectReason)
    {
        e.key = try string(.id, required: true, strings: &strings)
        if e.key.count == 0 { throw .badValue(.id) }
        e.reportStatus = try text(.status, required: true, scratch: &scratch) { (raw) throws(RejectReason) in
            if MemberReader.equals(raw, "new") { return .new }
            if MemberReader.equals(raw, "assigned") { return .assigned }
            if MemberReader.equals(raw, "resolved") { return .resolved }
            if MemberReader.equals(raw, "rejected") { return .rejected }
            throw .badValue(.status)
        }!
        e.text = try string(.text, required: false, strings: &strings)
        e.category = try string(.category, required: false, strings: &strings)
        if e.reportStatus == .new && e.text.isAbsent && e.category.isAbsent { throw .missingField(.text) }
        if let lat = try number(.lat, required: false), !(lat >= -90 && lat <= 90) { throw .badValue(.lat) }
        if let lon = try number(.lon, required: false), !(lon >= -180 && lon <= 180) { throw .badValue(.lon) }
        _ = try string(.ward, required: false, strings: &strings)
        _ = try string(.channel, required: false, strings: &strings)
        if let photos = try integer(.photos, required: false), photos < 0 { throw .badValue(.photos) }
        e.agency = try string(.agency, required: false, strings: &strings)
    }

    private mutating func fillTraffic(_ e: inout Event, strings: inout [UInt8]) throws(RejectReason) {
        e.key = try string(.sensor, required: true, strings: &strings)
        if e.key.count == 0 { throw .badValue(.sensor) }
        e.subject = try string(.segment, required: false, strings: &strings)
        if e.subject.isAbsent || e.subject.count == 0 { e.subject = e.key }
        guard let vehicles = try integer(.vehicles, required: true) else { throw .missingField(.vehicles) }
        if vehicles < 0 { throw .badValue(.vehicles) }
        e.vehicles = vehicles
        guard let speed = try number(.speed_kmh, required: true) else { throw .missingField(.speed_kmh) }
        if !(speed >= 0 && speed <= 300) { throw .badValue(.speed_kmh) }
        e.speedKmh = speed
        if let occ = try number(.occupancy, required: false) {
            if !(occ >= 0 && occ <= 1) { throw .badValue(.occupancy) }
            e.occupancy = occ
        }
        if let interval = try integer(.interval_s, required: false) {
            if interval <= 0 { throw .badValue(.interval_s) }
            e.intervalS = interval
        }
    }

    private mutating func fillSecurity(_ e: inout Event, strings: inout [UInt8]) throws(RejectReason) {
        e.key = try string(.sensor, required: true, strings: &strings)
        if e.key.count == 0 { throw .badValue(.sensor) }
        e.subject = try string(.type, required: true, strings: &strings)
        if e.subject.count == 0 { throw .badValue(.type) }
        if let severity = try integer(.severity, required: false) {
            if severity < 1 || severity > 5 { throw .badValue(.severity) }
            e.severity = Int(severity)
        }
    }

    private mutating func fillService(
        _ e: inout Event, strings: inout [UInt8], scratch: inout [UInt8], dates: inout DateCaches
    )
        throws(RejectReason)
    {
        e.key = try string(.dossier, required: true, strings: &strings)
        if e.key.count == 0 { throw .badValue(.dossier) }
        e.dossierEvent = try text(.event, required: true, scratch: &scratch) { (raw) throws(RejectReason) in
            if MemberReader.equals(raw, "received") { return .received }
            if MemberReader.equals(raw, "resolved") { return .resolved }
            if MemberReader.equals(raw, "returned") { return .returned }
            throw .badValue(.event)
        }!
        e.agency = try string(.agency, required: e.dossierEvent == .received, strings: &strings)
        _ = try string(.procedure, required: false, strings: &strings)
        let channel = try text(.channel, required: false, scratch: &scratch) {
            (raw) throws(RejectReason) -> DossierChannel in
            if MemberReader.equals(raw, "online") { return .online }
            if MemberReader.equals(raw, "counter") { return .counter }
            if MemberReader.equals(raw, "post") { return .post }
            throw .badValue(.channel)
        }
        e.channel = channel ?? .counter
        let due = try text(.due, required: false, scratch: &scratch) { (raw) throws(RejectReason) -> Int64 in
            guard let t = Timestamp.parse(raw, cache: &dates.due) else { throw .badValue(.due) }
            return t
        }
        if let due { e.due = due }
    }

    private mutating func fillMetric(
        _ e: inout Event, strings: inout [UInt8], scratch: inout [UInt8]
    )
        throws(RejectReason)
    {
        e.key = try string(.name, required: true, strings: &strings)
        if e.key.count == 0 { throw .badValue(.name) }
        guard let value = try number(.value, required: true) else { throw .missingField(.value) }
        e.value = value
        _ = try string(.system, required: false, strings: &strings)
        _ = try string(.unit, required: false, strings: &strings)
    }
}

/// A validator's date-time caches: one for `ts`, one for `due` (a dossier's due date is another minute than its
/// event's).
struct DateCaches: Sendable {
    var ts = TimestampCache()
    var due = TimestampCache()
}

/// A validator's per-field member index, allocated once (no array bookkeeping per line).
final class SlotTable: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Int32>

    init() {
        pointer = .allocate(capacity: Field.count)
        pointer.initialize(repeating: -1, count: Field.count)
    }

    deinit { pointer.deallocate() }
}

/// A line already scanned, with its known members indexed by field: what both the native reader and the adapters
/// read from.
protocol ScannedMembers {
    var line: UnsafeRawBufferPointer { get }
    var members: UnsafeBufferPointer<JSONMember> { get }
    var slots: UnsafeMutablePointer<Int32> { get }
}

extension ScannedMembers {
    /// The last top-level member with this name, or nil.
    ///
    /// - Complexity: O(1).
    @inline(__always)
    func member(_ f: Field) -> JSONMember? {
        let i = slots[f.index]
        return i < 0 ? nil : members[Int(i)]
    }

    /// A member's value bytes (a string's content without the quotes).
    @inline(__always)
    func bytes(_ m: JSONMember) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: line[Int(m.valueStart)..<Int(m.valueEnd)])
    }
}
