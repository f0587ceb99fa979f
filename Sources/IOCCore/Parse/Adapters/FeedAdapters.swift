/// The adapters' part of an `EventValidator`: which format to read, and the per-line tables they reuse.
///
/// Native lines never get here in `auto` mode (the validator sees their `kind` first), so the adapters cost
/// nothing on the native hot path.
struct FeedAdapters: Sendable {
    var format: FeedFormat
    var rules: AdapterRules {
        didSet { alerts = NGSIAlertTable(rules) }
    }
    private(set) var alerts: NGSIAlertTable
    /// Index into the line's members of the last member with each adapter name, or -1.
    private var slots = SlotTable()
    /// Members of a nested object (Suricata `alert`, NGSI attribute wrappers, `address`).
    var nested: [JSONMember] = []

    init(format: FeedFormat, rules: AdapterRules) {
        self.format = format
        self.rules = rules
        alerts = NGSIAlertTable(rules)
        nested.reserveCapacity(32)
    }

    /// Reads a line in an adapter format, or returns nil to let the native schema read it (and give its reason).
    ///
    /// - Parameters:
    ///   - hasKind: whether the line has a `kind` member (native).
    /// - Complexity: O(line length); does not allocate after warm-up.
    mutating func adapt(
        _ line: UnsafeRawBufferPointer, base: Int, members: UnsafeBufferPointer<JSONMember>, hasKind: Bool,
        now: Int64, maxFuture: Int64, into event: inout Event, strings: inout [UInt8], scratch: inout [UInt8]
    ) -> LineOutcome? {
        if !isKnownUniquelyReferenced(&slots) { slots = SlotTable() }
        let table = slots.pointer
        table.update(repeating: -1, count: Field.count)
        for i in 0..<members.count {
            let m = members[i]
            let key = m.key(in: line)
            if !m.keyHasEscapes {
                if let f = Field.adapterLookup(key) { table[f.index] = Int32(i) }
            } else {
                scratch.removeAll(keepingCapacity: true)
                JSONString.unescape(key, into: &scratch)
                if let f = scratch.withUnsafeBytes({ Field.adapterLookup($0) }) { table[f.index] = Int32(i) }
            }
        }
        let reader = AdapterReader(line: line, base: base, members: members, slots: table)
        let detected = Self.recognise(reader)
        let chosen: FeedFormat
        switch format {
        case .auto:
            guard let detected, !hasKind else { return nil }
            chosen = detected
        case .ioc:
            return nil  // native only (the validator does not ask): `missing_field:kind` whatever else it looks like
        case .open311, .eve, .ngsi:
            // The forced adapter reads every line; one of another format (a native line too) gets its reason,
            // the member it lacks (`missing_field:event_type`), as SPEC §7 lists reasons.
            chosen = format
        }
        do throws(RejectReason) {
            let accepted: Bool
            switch chosen {
            case .eve:
                accepted = try SuricataEVEAdapter.fill(
                    &event, reader, strings: &strings, scratch: &scratch, nested: &nested)
            case .open311:
                accepted = try Open311Adapter.fill(&event, reader, strings: &strings, scratch: &scratch)
            default:
                accepted = try NGSIAdapter.fill(
                    &event, reader, alerts: alerts, strings: &strings, scratch: &scratch, nested: &nested)
            }
            guard accepted else { return .ignored }
            if event.ts > EventValidator.futureLimit(now: now, maxFuture: maxFuture) { throw .future }
            return .accepted
        } catch {
            return .rejected(error)
        }
    }

    /// The adapter format a line looks like, in the order EVE, Open311, NGSI.
    static func recognise(_ r: AdapterReader) -> FeedFormat? {
        if matches(r, .eve) { return .eve }
        if matches(r, .open311) { return .open311 }
        if matches(r, .ngsi) { return .ngsi }
        return nil
    }

    /// Whether the line carries the members that identify `format`.
    static func matches(_ r: AdapterReader, _ format: FeedFormat) -> Bool {
        switch format {
        case .eve:
            return r.member(.event_type) != nil && r.member(.timestamp) != nil
        case .open311:
            guard let id = r.member(.service_request_id) else { return false }
            return id.type == .string || id.type == .number
        case .ngsi:
            return r.member(.type)?.type == .string && r.member(.id) != nil
        case .auto, .ioc:
            return false
        }
    }
}
