/// The input formats `ioc run --format` reads (SPEC §8).
///
/// `auto` recognises each line on its own: a line with a `kind` member is native; else Suricata EVE if it has
/// `event_type` and `timestamp`; else Open311 if it has a string or number `service_request_id`; else NGSI if
/// `type` is a string and it has an `id`. A line none of them recognises keeps the native reason
/// (`missing_field:kind`). A forced format reads every line as its own: a line of another format gets that
/// reader's reason (`missing_field:kind` for `ioc`, `missing_field:event_type` for `eve`, …).
public enum FeedFormat: String, CaseIterable, Sendable {
    case auto
    /// The native schema of SPEC §2.
    case ioc
    /// Open311 GeoReport v2 service requests.
    case open311
    /// Suricata EVE JSON.
    case eve
    /// FIWARE NGSI v2 and NGSI-LD entities, key-values or normalized.
    case ngsi
}
