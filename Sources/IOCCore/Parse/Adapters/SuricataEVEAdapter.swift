/// Suricata EVE JSON records → security events (SPEC §8).
///
/// | EVE | event |
/// |---|---|
/// | `event_type` `alert` | `kind` security, `type` `ids_alert` |
/// | `event_type` `anomaly` | `kind` security, `type` `ids_anomaly`, severity 2 |
/// | any other `event_type` (flow, dns, tls, stats, …) | `ignored` |
/// | `timestamp` (`±hh:mm`, `±hhmm` or no offset = UTC) | `ts` |
/// | `host`, else `in_iface`, else `"suricata"` | `sensor` |
/// | `alert.severity` 1 / 2 / 3+ (absent: 3, Suricata's default) | severity 5 / 3 / 2 |
/// | `district` (if a forwarder adds one) | `district` |
enum SuricataEVEAdapter {
    /// Fills `e` from an EVE record.
    ///
    /// - Returns: false for an event type that is not tracked (the line is `ignored`).
    /// - Complexity: O(line length) (the nested `alert` object is walked once); allocates only when `strings` or
    ///   `nested` grow.
    static func fill(
        _ e: inout Event, _ r: AdapterReader, strings: inout [UInt8], scratch: inout [UInt8],
        nested: inout [JSONMember]
    ) throws(RejectReason) -> Bool {
        guard let typeMember = r.present(.event_type) else { throw .missingField(.event_type) }
        guard typeMember.type == .string else { throw .badType(.event_type) }
        // 1 = alert, 2 = anomaly, 0 = anything else
        let eventType = r.withString(typeMember, scratch: &scratch) { raw -> Int in
            JSONString.equals(raw, "alert") ? 1 : JSONString.equals(raw, "anomaly") ? 2 : 0
        }
        guard eventType != 0 else { return false }

        e = Event()
        e.kind = .security
        guard let time = r.present(.timestamp) else { throw .missingField(.timestamp) }
        guard time.type == .string else { throw .badType(.timestamp) }
        guard let ts = r.time(time, scratch: &scratch) else { throw .badTimestamp }
        e.ts = ts

        if let sensor = nonEmptyString(r, .host) ?? nonEmptyString(r, .in_iface) {
            e.key = r.ref(sensor, strings: &strings)
        } else {
            e.key = append("suricata", to: &strings)
        }

        if eventType == 2 {
            e.subject = append("ids_anomaly", to: &strings)
            e.severity = 2
        } else {
            e.subject = append("ids_alert", to: &strings)
            var priority: Int64 = 3
            if let alert = r.present(.alert) {
                guard alert.type == .object else { throw .badType(.alert) }
                r.nested(alert, into: &nested)
                if let s = r.find("severity", in: nested, scratch: &scratch), s.type != .null {
                    guard s.type == .number else { throw .badType(.alert_severity) }
                    switch JSONNumber.integer(r.bytes(s)) {
                    case .value(let v): priority = v
                    case .notInteger: throw .badType(.alert_severity)
                    case .outOfRange: throw .badValue(.alert_severity)
                    }
                    if priority < 1 { throw .badValue(.alert_severity) }
                }
            }
            e.severity = priority == 1 ? 5 : priority == 2 ? 3 : 2
        }

        if let district = r.present(.district) {
            guard district.type == .string else { throw .badType(.district) }
            e.district = r.ref(district, strings: &strings)
        }
        return true
    }

    private static func nonEmptyString(_ r: AdapterReader, _ f: Field) -> JSONMember? {
        guard let m = r.present(f), m.type == .string, m.valueEnd > m.valueStart else { return nil }
        return m
    }

    /// Appends a constant to the string store and references it.
    static func append(_ literal: StaticString, to strings: inout [UInt8]) -> ByteRef {
        let start = strings.count
        strings.append(contentsOf: UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
        return ByteRef(start: 0x8000_0000 | UInt32(start), count: UInt32(literal.utf8CodeUnitCount))
    }
}
