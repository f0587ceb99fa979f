/// Open311 GeoReport v2 service requests → field-report lifecycle events (SPEC §8).
///
/// | Open311 | event |
/// |---|---|
/// | `service_request_id` (string or number) | `id` |
/// | `status` `open` / `closed` (any case) | `new` / `resolved` |
/// | `requested_datetime` (open), `updated_datetime` (closed), each falling back to the other | `ts` |
/// | `expected_datetime` | the report's SLA due (replaces the category's SLA) |
/// | `service_name` + " " + `description` | `text`, classified like a native report |
/// | `lat`, `long` (numbers or numeric strings) | checked like `lat`/`lon` |
/// | `agency_responsible`, `address` | kept (in the dispatched object) |
/// | `district` (an extension some cities add) | `district` |
///
/// Real dumps are messy: a repeated key takes its last value, and `null`, `"null"` and `""` all mean absent.
enum Open311Adapter {
    /// Fills `e` from an Open311 request.
    ///
    /// - Returns: true (every recognised request is an event).
    /// - Complexity: O(line length); allocates only when `strings` grows.
    static func fill(
        _ e: inout Event, _ r: AdapterReader, strings: inout [UInt8], scratch: inout [UInt8]
    ) throws(RejectReason) -> Bool {
        e = Event()
        e.kind = .fieldReport
        guard let id = value(r, .service_request_id) else { throw .missingField(.service_request_id) }
        guard id.type == .string || id.type == .number else { throw .badType(.service_request_id) }
        e.key = r.ref(id, strings: &strings)

        guard let status = value(r, .status) else { throw .missingField(.status) }
        guard status.type == .string else { throw .badType(.status) }
        let parsed = r.withString(status, scratch: &scratch) { raw -> ReportStatus? in
            if AdapterText.equalsIgnoringCase(raw, "open") { return .new }
            if AdapterText.equalsIgnoringCase(raw, "closed") { return .resolved }
            return nil
        }
        guard let parsed else { throw .badValue(.status) }
        e.reportStatus = parsed

        let (first, second): (Field, Field) =
            parsed == .new ? (.requested_datetime, .updated_datetime) : (.updated_datetime, .requested_datetime)
        guard let when = value(r, first) ?? value(r, second) else { throw .missingField(first) }
        guard let ts = r.time(when, scratch: &scratch) else { throw .badTimestamp }
        e.ts = ts

        if let due = value(r, .expected_datetime) {
            guard let t = r.time(due, scratch: &scratch) else { throw .badValue(.expected_datetime) }
            e.due = t
        }

        let name = try string(r, .service_name)
        let description = try string(r, .description)
        if name != nil || description != nil {
            let start = strings.count
            if let name { JSONString.unescape(r.bytes(name), into: &strings) }
            if name != nil && description != nil { strings.append(0x20) }
            if let description { JSONString.unescape(r.bytes(description), into: &strings) }
            e.text = ByteRef(start: 0x8000_0000 | UInt32(start), count: UInt32(strings.count - start))
        }

        try coordinate(r, .lat, limit: 90, scratch: &scratch)
        try coordinate(r, .long, limit: 180, scratch: &scratch)
        if let agency = try string(r, .agency_responsible) { e.agency = r.ref(agency, strings: &strings) }
        _ = try string(r, .address)
        if let district = try string(r, .district) { e.district = r.ref(district, strings: &strings) }
        return true
    }

    /// A member that is present and not `null`, `"null"` or `""`.
    private static func value(_ r: AdapterReader, _ f: Field) -> JSONMember? {
        guard let m = r.present(f), !r.isNullString(m) else { return nil }
        return m
    }

    /// An optional string member; another JSON type is `bad_type`.
    private static func string(_ r: AdapterReader, _ f: Field) throws(RejectReason) -> JSONMember? {
        guard let m = value(r, f) else { return nil }
        guard m.type == .string else { throw .badType(f) }
        return m
    }

    /// Checks an optional coordinate: a number or a numeric string within ±`limit`.
    private static func coordinate(
        _ r: AdapterReader, _ f: Field, limit: Double, scratch: inout [UInt8]
    ) throws(RejectReason) {
        guard let m = value(r, f) else { return }
        guard m.type == .number || m.type == .string else { throw .badType(f) }
        guard let v = r.number(m, scratch: &scratch), v >= -limit, v <= limit else { throw .badValue(f) }
    }
}
