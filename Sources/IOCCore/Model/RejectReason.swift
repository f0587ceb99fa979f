#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A member of an input line that validation looks at (SPEC §2).
///
/// `name` is the member's name as it appears in JSON, as in the reason `bad_type:speed_kmh`.
public enum Field: UInt8, CaseIterable, Sendable {
    case kind, ts, district
    case id, status, text, category, lat, lon, ward, channel, photos, agency
    case sensor, segment, vehicles, speed_kmh, occupancy, interval_s
    case type, severity
    case dossier, event, procedure, due
    case name, value, system, unit
    // Members of the formats the adapters read (SPEC §8), named as in the source; `Field.lookup` never returns
    // them, `Field.adapterLookup` does.
    case service_request_id, requested_datetime, updated_datetime, expected_datetime, service_name, description
    case long, agency_responsible, address
    case event_type, timestamp, host, in_iface, alert, alert_severity
    case intensity, averageVehicleSpeed, refRoadSegment, dateObserved, dateObservedTo
    case subCategory, dateIssued, validFrom, dateCreated, alertSource

    /// Dense index for fixed-size per-field tables.
    @inline(__always) public var index: Int { Int(rawValue) }

    /// Number of fields (the size of a per-field table): one past the last case, a constant the compiler folds
    /// (a test checks it equals `allCases.count`).
    public static var count: Int { Int(Field.alertSource.rawValue) + 1 }

    /// The member's JSON name (`alert.severity` for the member nested in a Suricata `alert`).
    public var name: String {
        switch self {
        case .alert_severity: "alert.severity"
        default: "\(self)"
        }
    }

    /// The field named by a key's raw bytes, or nil when the member is not one validation knows.
    ///
    /// - Complexity: O(key length); does not allocate.
    @inline(__always)
    public static func lookup(_ key: UnsafeRawBufferPointer) -> Field? {
        @inline(__always) func eq(_ s: StaticString) -> Bool {
            s.utf8CodeUnitCount == key.count
                && memcmp(s.utf8Start, key.baseAddress!, key.count) == 0
        }
        switch key.count {
        case 2: return eq("ts") ? .ts : eq("id") ? .id : nil
        case 3: return eq("lat") ? .lat : eq("lon") ? .lon : eq("due") ? .due : nil
        case 4:
            return eq("kind")
                ? .kind
                : eq("text")
                    ? .text
                    : eq("type")
                        ? .type
                        : eq("name")
                            ? .name
                            : eq("ward") ? .ward : eq("unit") ? .unit : nil
        case 5: return eq("event") ? .event : eq("value") ? .value : nil
        case 6:
            return eq("status")
                ? .status
                : eq("sensor")
                    ? .sensor
                    : eq("agency")
                        ? .agency
                        : eq("photos") ? .photos : eq("system") ? .system : nil
        case 7: return eq("segment") ? .segment : eq("dossier") ? .dossier : eq("channel") ? .channel : nil
        case 8:
            return eq("district")
                ? .district
                : eq("vehicles")
                    ? .vehicles
                    : eq("severity")
                        ? .severity
                        : eq("category") ? .category : nil
        case 9: return eq("speed_kmh") ? .speed_kmh : eq("occupancy") ? .occupancy : eq("procedure") ? .procedure : nil
        case 10: return eq("interval_s") ? .interval_s : nil
        default: return nil
        }
    }
}

/// Why a line was not accepted (SPEC §7), from a closed set.
///
/// `late` is not a rejection in the counts (a late event is accepted and applied to state), but it is written to
/// the dead-letter sink with this reason, so it lives in the same set.
public enum RejectReason: Error, Hashable, Sendable, CustomStringConvertible {
    case malformedJSON
    case notObject
    case unknownKind
    case missingField(Field)
    case badType(Field)
    case badValue(Field)
    case badTimestamp
    case future
    case late
    case lineTooLong
    case cardinality
    case truncated

    /// The reason as written in the dead-letter file and the counts, e.g. `bad_value:speed_kmh`.
    public var description: String {
        switch self {
        case .malformedJSON: "malformed_json"
        case .notObject: "not_object"
        case .unknownKind: "unknown_kind"
        case .missingField(let f): "missing_field:\(f.name)"
        case .badType(let f): "bad_type:\(f.name)"
        case .badValue(let f): "bad_value:\(f.name)"
        case .badTimestamp: "bad_timestamp"
        case .future: "future"
        case .late: "late"
        case .lineTooLong: "line_too_long"
        case .cardinality: "cardinality"
        case .truncated: "truncated"
        }
    }

    /// A dense code, so counts are a flat array on the hot path.
    ///
    /// - Complexity: O(1); does not allocate.
    @inline(__always)
    public var code: Int {
        switch self {
        case .malformedJSON: 0
        case .notObject: 1
        case .unknownKind: 2
        case .badTimestamp: 3
        case .future: 4
        case .late: 5
        case .lineTooLong: 6
        case .cardinality: 7
        case .truncated: 8
        case .missingField(let f): 16 + f.index
        case .badType(let f): 16 + Field.allCases.count + f.index
        case .badValue(let f): 16 + 2 * Field.allCases.count + f.index
        }
    }

    /// Number of distinct codes.
    public static let codeCount = 16 + 3 * Field.allCases.count

    /// Every reason, indexed by `code` (unused codes are nil).
    public static let byCode: [RejectReason?] = {
        var table = [RejectReason?](repeating: nil, count: codeCount)
        let simple: [RejectReason] = [
            .malformedJSON, .notObject, .unknownKind, .badTimestamp, .future, .late, .lineTooLong, .cardinality,
            .truncated,
        ]
        for r in simple { table[r.code] = r }
        for f in Field.allCases {
            for r in [RejectReason.missingField(f), .badType(f), .badValue(f)] { table[r.code] = r }
        }
        return table
    }()
}
