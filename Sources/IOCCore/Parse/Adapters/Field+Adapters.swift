#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Field {
    /// The members the adapters read, grouped by name length (index = byte count of the name).
    private static let adapterNames: [[(name: [UInt8], field: Field)]] = {
        let fields: [Field] = [
            .id, .type, .status, .lat, .district, .category, .severity, .occupancy,
            .service_request_id, .requested_datetime, .updated_datetime, .expected_datetime, .service_name,
            .description, .long, .agency_responsible, .address,
            .event_type, .timestamp, .host, .in_iface, .alert,
            .intensity, .averageVehicleSpeed, .refRoadSegment, .dateObserved, .dateObservedTo,
            .subCategory, .dateIssued, .validFrom, .dateCreated, .alertSource,
        ]
        var table = [[(name: [UInt8], field: Field)]](repeating: [], count: 32)
        for f in fields {
            let name = Array(f.name.utf8)
            table[name.count].append((name, f))
        }
        return table
    }()

    /// The field an adapter reads under a member name, or nil.
    ///
    /// NGSI-LD attribute names may arrive expanded or prefixed (`https://smartdatamodels.org/…/intensity`,
    /// `sdm:intensity`): only the part after the last `/`, `#` or `:` is compared, except for the entity's own `id`
    /// and `type`, which must be written plainly. Native members (`kind`,
    /// `ts`, …) are not adapter members; use `Field.lookup` for those.
    ///
    /// - Complexity: O(key length); does not allocate.
    public static func adapterLookup(_ key: UnsafeRawBufferPointer) -> Field? {
        let name = AdapterText.localName(key)
        guard name.count < 32, let base = name.baseAddress else { return nil }
        for candidate in adapterNames[name.count]
        where candidate.name.withUnsafeBytes({ memcmp($0.baseAddress!, base, name.count) == 0 }) {
            // An entity's own `id` and `type` are never prefixed: `open311:type` is an attribute.
            if (candidate.field == .id || candidate.field == .type) && name.count != key.count { return nil }
            return candidate.field
        }
        return nil
    }
}
