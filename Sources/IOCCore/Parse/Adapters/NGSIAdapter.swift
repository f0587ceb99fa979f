/// FIWARE NGSI v2 and NGSI-LD entities → traffic, security and field-report events (SPEC §8).
///
/// Attributes are read in key-values form (`"intensity":197`) or normalized (`{"type":"Number","value":197}`,
/// `{"type":"Property","value":…}`, `{"type":"Relationship","object":"urn:…"}`, LD's
/// `{"@type":"DateTime","@value":…}`); attribute and type names may be expanded URIs or prefixed (the part after the
/// last `/`, `#` or `:` counts).
///
/// `TrafficFlowObserved`:
///
/// | NGSI | event |
/// |---|---|
/// | `id` | `sensor` |
/// | `refRoadSegment` (text or relationship; the first of a list), else `id` | `segment` |
/// | `intensity` (≥ 0; a fraction is rounded to the nearest vehicle) | `vehicles` |
/// | `averageVehicleSpeed` (0…300) | `speed_kmh` |
/// | `occupancy` (0…1, optional) | `occupancy` |
/// | end of the `dateObserved` interval (`a/b`, `a/PT5M`, `PT5M/b`), else `dateObservedTo`, else the instant | `ts` |
/// | `address.district`, else `address.addressLocality` | `district` |
///
/// `Alert`: the rules' `adapters.ngsi_alert` table maps `category`/`subCategory` to a field report (id = entity
/// `id`, text = `description`, else `subCategory`, else `category`), a security event (sensor = `alertSource`,
/// else `id`; severity `informational` 1, `low` 2, `medium` 3, `high` 4, `critical` 5, anything else 3) or
/// `ignored`; `ts` = `dateIssued`, else `validFrom`, else `dateCreated`.
///
/// Any other entity type is `ignored`.
enum NGSIAdapter {
    /// Fills `e` from an entity.
    ///
    /// - Returns: false when the entity is not one that is tracked (the line is `ignored`).
    /// - Complexity: O(line length); allocates only when `strings` or `nested` grow.
    static func fill(
        _ e: inout Event, _ r: AdapterReader, alerts: NGSIAlertTable, strings: inout [UInt8],
        scratch: inout [UInt8], nested: inout [JSONMember]
    ) throws(RejectReason) -> Bool {
        guard let type = r.present(.type) else { throw .missingField(.type) }
        guard type.type == .string else { throw .badType(.type) }
        let entity = r.withString(type, scratch: &scratch) { raw -> Int in
            let name = AdapterText.localName(raw)
            return JSONString.equals(name, "TrafficFlowObserved") ? 1 : JSONString.equals(name, "Alert") ? 2 : 0
        }
        guard entity != 0 else { return false }
        guard let id = r.present(.id) else { throw .missingField(.id) }
        guard id.type == .string else { throw .badType(.id) }
        guard id.valueEnd > id.valueStart else { throw .badValue(.id) }
        e = Event()
        if entity == 1 {
            try trafficFlow(&e, r, id: id, strings: &strings, scratch: &scratch, nested: &nested)
            return true
        }
        return try alert(&e, r, id: id, alerts: alerts, strings: &strings, scratch: &scratch, nested: &nested)
    }

    private static func trafficFlow(
        _ e: inout Event, _ r: AdapterReader, id: JSONMember, strings: inout [UInt8], scratch: inout [UInt8],
        nested: inout [JSONMember]
    ) throws(RejectReason) {
        e.kind = .traffic
        e.key = r.ref(id, strings: &strings)
        if var segment = attribute(r, .refRoadSegment, scratch: &scratch, nested: &nested) {
            if segment.type == .array {
                JSONScanner.elements(
                    ofArrayIn: r.line, start: Int(segment.valueStart), end: Int(segment.valueEnd), into: &nested)
                guard let first = nested.first else { throw .badValue(.refRoadSegment) }
                segment = first
            }
            guard segment.type == .string else { throw .badType(.refRoadSegment) }
            e.subject = r.ref(segment, strings: &strings)
        }
        if e.subject.isAbsent || e.subject.count == 0 { e.subject = e.key }

        let intensity = try number(r, .intensity, required: true, scratch: &scratch, nested: &nested)!
        guard intensity >= 0, intensity < 9_007_199_254_740_992 else { throw .badValue(.intensity) }
        e.vehicles = Int64(intensity.rounded())
        let speed = try number(r, .averageVehicleSpeed, required: true, scratch: &scratch, nested: &nested)!
        guard speed >= 0, speed <= 300 else { throw .badValue(.averageVehicleSpeed) }
        e.speedKmh = speed
        if let occupancy = try number(r, .occupancy, required: false, scratch: &scratch, nested: &nested) {
            guard occupancy >= 0, occupancy <= 1 else { throw .badValue(.occupancy) }
            e.occupancy = occupancy
        }

        var instant: Int64?
        if let observed = attribute(r, .dateObserved, scratch: &scratch, nested: &nested) {
            guard observed.type == .string else { throw .badType(.dateObserved) }
            guard let parsed = r.withString(observed, scratch: &scratch, { AdapterTime.interval($0) }) else {
                throw .badTimestamp
            }
            if let start = parsed.start {
                // An interval that ends before it starts is not an observation period.
                guard start <= parsed.end else { throw .badValue(.dateObserved) }
                e.ts = parsed.end
                // Whole seconds: a period under one second keeps the default interval.
                let seconds = parsed.end.saturatingSubtracting(start) / 1_000_000_000
                if seconds > 0 { e.intervalS = seconds }
                try district(&e, r, strings: &strings, scratch: &scratch, nested: &nested)
                return
            }
            instant = parsed.end
        }
        if let to = attribute(r, .dateObservedTo, scratch: &scratch, nested: &nested) {
            guard let t = r.time(to, scratch: &scratch) else { throw .badTimestamp }
            e.ts = t
        } else if let instant {
            e.ts = instant
        } else {
            throw .missingField(.dateObserved)
        }
        try district(&e, r, strings: &strings, scratch: &scratch, nested: &nested)
    }

    private static func alert(
        _ e: inout Event, _ r: AdapterReader, id: JSONMember, alerts: NGSIAlertTable, strings: inout [UInt8],
        scratch: inout [UInt8], nested: inout [JSONMember]
    ) throws(RejectReason) -> Bool {
        guard let category = attribute(r, .category, scratch: &scratch, nested: &nested) else {
            throw .missingField(.category)
        }
        guard category.type == .string else { throw .badType(.category) }
        let sub = attribute(r, .subCategory, scratch: &scratch, nested: &nested)
        if let sub, sub.type != .string { throw .badType(.subCategory) }
        scratch.removeAll(keepingCapacity: true)
        JSONString.unescape(r.bytes(category), into: &scratch)
        let split = scratch.count
        if let sub { JSONString.unescape(r.bytes(sub), into: &scratch) }
        let index = scratch.withUnsafeBytes { raw in
            alerts.match(
                category: UnsafeRawBufferPointer(rebasing: raw[..<split]),
                subCategory: sub == nil ? nil : UnsafeRawBufferPointer(rebasing: raw[split...]))
        }
        guard let index, alerts.entries[index].action != .ignore else { return false }
        let rule = alerts.entries[index]

        guard
            let issued = attribute(r, .dateIssued, scratch: &scratch, nested: &nested)
                ?? attribute(r, .validFrom, scratch: &scratch, nested: &nested)
                ?? attribute(r, .dateCreated, scratch: &scratch, nested: &nested)
        else { throw .missingField(.dateIssued) }
        guard let ts = r.time(issued, scratch: &scratch) else { throw .badTimestamp }
        e.ts = ts

        if rule.action == .fieldReport {
            e.kind = .fieldReport
            e.reportStatus = .new
            e.key = r.ref(id, strings: &strings)
            if let code = rule.reportCategory { e.category = append(code, to: &strings) }
            let description = attribute(r, .description, scratch: &scratch, nested: &nested)
            if let description, description.type != .string { throw .badType(.description) }
            e.text = r.ref(description ?? sub ?? category, strings: &strings)
        } else {
            e.kind = .security
            let source = attribute(r, .alertSource, scratch: &scratch, nested: &nested)
            if let source, source.type == .string, source.valueEnd > source.valueStart {
                e.key = r.ref(source, strings: &strings)
            } else {
                e.key = r.ref(id, strings: &strings)
            }
            if let type = rule.securityType {
                e.subject = append(type, to: &strings)
            } else {
                e.subject = r.ref(sub ?? category, strings: &strings)
            }
            if e.subject.count == 0 { e.subject = r.ref(category, strings: &strings) }
            if let severity = rule.severity {
                e.severity = severity
            } else if let s = attribute(r, .severity, scratch: &scratch, nested: &nested) {
                e.severity = severityLevel(r, s, scratch: &scratch)
            }
        }
        try district(&e, r, strings: &strings, scratch: &scratch, nested: &nested)
        return true
    }

    /// The value of an attribute, unwrapped from its normalized form; nil when absent or `null`.
    static func attribute(
        _ r: AdapterReader, _ f: Field, scratch: inout [UInt8], nested: inout [JSONMember]
    ) -> JSONMember? {
        guard let m = r.present(f) else { return nil }
        guard m.type == .object else { return m }
        r.nested(m, into: &nested)
        guard r.find("type", in: nested, scratch: &scratch) != nil,
            let value = r.find("value", in: nested, scratch: &scratch)
                ?? r.find("object", in: nested, scratch: &scratch)
        else {
            // A bare JSON-LD typed value, `{"@type":"DateTime","@value":…}`, as the attribute itself.
            if let inner = r.find("@value", in: nested, scratch: &scratch) { return inner.type == .null ? nil : inner }
            return m
        }
        if value.type == .null { return nil }
        guard value.type == .object else { return value }
        r.nested(value, into: &nested)
        if let inner = r.find("@value", in: nested, scratch: &scratch) { return inner.type == .null ? nil : inner }
        return value
    }

    /// A number attribute (or a numeric string); `required` turns absence into `missing_field`.
    private static func number(
        _ r: AdapterReader, _ f: Field, required: Bool, scratch: inout [UInt8], nested: inout [JSONMember]
    ) throws(RejectReason) -> Double? {
        guard let m = attribute(r, f, scratch: &scratch, nested: &nested) else {
            if required { throw .missingField(f) }
            return nil
        }
        guard m.type == .number || m.type == .string else { throw .badType(f) }
        guard let v = r.number(m, scratch: &scratch) else { throw .badValue(f) }
        return v
    }

    /// `address.district`, else `address.addressLocality`, as the event's district.
    private static func district(
        _ e: inout Event, _ r: AdapterReader, strings: inout [UInt8], scratch: inout [UInt8],
        nested: inout [JSONMember]
    ) throws(RejectReason) {
        guard let address = attribute(r, .address, scratch: &scratch, nested: &nested), address.type == .object
        else { return }
        r.nested(address, into: &nested)
        let found =
            r.find("district", in: nested, scratch: &scratch)
            ?? r.find("addressLocality", in: nested, scratch: &scratch)
        if let found, found.type == .string { e.district = r.ref(found, strings: &strings) }
    }

    /// An Alert `severity` on the 1…5 scale of security events.
    private static func severityLevel(_ r: AdapterReader, _ m: JSONMember, scratch: inout [UInt8]) -> Int {
        if m.type == .number, case .value(let v) = JSONNumber.integer(r.bytes(m)), v >= 1, v <= 5 { return Int(v) }
        guard m.type == .string else { return 3 }
        return r.withString(m, scratch: &scratch) { raw in
            if AdapterText.equalsIgnoringCase(raw, "informational") { return 1 }
            if AdapterText.equalsIgnoringCase(raw, "low") { return 2 }
            if AdapterText.equalsIgnoringCase(raw, "medium") { return 3 }
            if AdapterText.equalsIgnoringCase(raw, "high") { return 4 }
            if AdapterText.equalsIgnoringCase(raw, "critical") { return 5 }
            return 3
        }
    }

    private static func append(_ bytes: [UInt8], to strings: inout [UInt8]) -> ByteRef {
        let start = strings.count
        strings.append(contentsOf: bytes)
        return ByteRef(start: 0x8000_0000 | UInt32(start), count: UInt32(bytes.count))
    }
}

/// The rules' NGSI `Alert` mapping with its strings as bytes, for matching without `String`s.
struct NGSIAlertTable: Sendable {
    struct Entry: Sendable {
        var category: [UInt8]?
        var subCategory: [UInt8]?
        var action: NGSIAlertRule.Action
        var reportCategory: [UInt8]?
        var securityType: [UInt8]?
        var severity: Int?
    }

    let entries: [Entry]

    init(_ rules: AdapterRules) {
        entries = rules.ngsiAlert.map {
            Entry(
                category: $0.category.map { Array($0.utf8) }, subCategory: $0.subCategory.map { Array($0.utf8) },
                action: $0.action, reportCategory: $0.reportCategory.map { Array($0.utf8) },
                securityType: $0.securityType.map { Array($0.utf8) }, severity: $0.severity)
        }
    }

    /// The index of the first entry matching the alert, or nil.
    ///
    /// - Complexity: O(entries × name length); does not allocate.
    func match(category: UnsafeRawBufferPointer, subCategory: UnsafeRawBufferPointer?) -> Int? {
        func equal(_ a: [UInt8], _ b: UnsafeRawBufferPointer) -> Bool {
            a.count == b.count && a.withUnsafeBytes { $0.elementsEqual(b) }
        }
        for (i, entry) in entries.enumerated() {
            if let c = entry.category, !equal(c, category) { continue }
            if let s = entry.subCategory {
                guard let subCategory, equal(s, subCategory) else { continue }
            }
            return i
        }
        return nil
    }
}
