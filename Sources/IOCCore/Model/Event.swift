/// The five kinds of event of SPEC §2.
public enum EventKind: UInt8, CaseIterable, Sendable {
    case fieldReport, traffic, security, service, metric

    /// The `kind` member's value.
    public var name: String {
        switch self {
        case .fieldReport: "field_report"
        case .traffic: "traffic"
        case .security: "security"
        case .service: "service"
        case .metric: "metric"
        }
    }
}

/// A field report's lifecycle step.
public enum ReportStatus: UInt8, Sendable { case new, assigned, resolved, rejected }

/// A dossier's lifecycle step.
public enum DossierEvent: UInt8, Sendable { case received, resolved, returned }

/// How a dossier was submitted.
public enum DossierChannel: UInt8, Sendable { case counter, online, post }

/// A string value of an event: a byte range either in the line itself (no escapes) or in the batch's
/// string store (unescaped copy).
///
/// `start` has its top bit set when the bytes are in the store. `absent` marks a member that was not given.
public struct ByteRef: Equatable, Sendable {
    public var start: UInt32
    public var count: UInt32

    public static let absent = ByteRef(start: .max, count: 0)
    @inline(__always) public var isAbsent: Bool { start == .max }
    @inline(__always) public var isStored: Bool { start != .max && start & 0x8000_0000 != 0 }
    @inline(__always) public var offset: Int { Int(start & 0x7FFF_FFFF) }

    @inline(__always) public init(start: UInt32, count: UInt32) {
        self.start = start
        self.count = count
    }
}

/// A validated event, ready to be classified and aggregated.
///
/// A flat, trivial value type with every member of every kind, so a batch's events are one contiguous buffer and
/// building one never allocates. Members that do not belong to the event's kind keep their defaults.
public struct Event: Sendable {
    public var kind: EventKind = .metric
    /// Event time, nanoseconds since the Unix epoch (UTC).
    public var ts: Int64 = 0
    public var district: ByteRef = .absent
    /// The tracked identity: report `id`, traffic/security `sensor`, service `dossier`, metric `name`.
    public var key: ByteRef = .absent
    /// Traffic `segment` (defaults to the sensor); security `type`.
    public var subject: ByteRef = .absent
    /// Field-report `agency` on `assigned`; service `agency`.
    public var agency: ByteRef = .absent
    /// Field-report `text`.
    public var text: ByteRef = .absent
    /// Field-report `category` as given (maybe unknown to the rules).
    public var category: ByteRef = .absent

    public var reportStatus: ReportStatus = .new
    public var dossierEvent: DossierEvent = .received
    public var channel: DossierChannel = .counter

    public var vehicles: Int64 = 0
    public var speedKmh: Double = 0
    /// NaN when absent.
    public var occupancy: Double = .nan
    public var intervalS: Int64 = 60
    public var severity: Int = 3
    /// Service `due` or an adapter's SLA due; `Int64.min` when absent.
    public var due: Int64 = .min
    public var value: Double = 0

    /// Where the original object text is in the batch's line bytes (for dispatch and dead letters).
    public var lineStart: UInt32 = 0
    public var lineCount: UInt32 = 0
    /// The physical line number in its source, 1-based.
    public var lineNumber: Int = 0
    public var source: Int32 = 0

    /// Resolved field-report category index in the rules (set by classification), -1 when not classified.
    public var categoryIndex: Int32 = -1

    /// `Interner.hash` of `district`, `key`, `subject` and `agency`, computed by the parallel parse stage
    /// (`hashKeys(_:)`) so the single aggregator thread only probes its tables.
    public var districtHash: UInt64 = 0
    public var keyHash: UInt64 = 0
    public var subjectHash: UInt64 = 0
    public var agencyHash: UInt64 = 0

    @inline(__always) public init() {}
}

extension Event {
    /// Fills the hashes of the keys the aggregator interns for this kind (`WindowAggregator.apply`): district
    /// and key always, subject for traffic (segment) and security (type), agency for services.
    ///
    /// - Complexity: O(length of the keys); does not allocate.
    @inline(__always)
    public mutating func hashKeys(_ b: EventBytes) {
        districtHash = Interner.hash(b[district])
        keyHash = Interner.hash(b[key])
        switch kind {
        case .traffic, .security: subjectHash = Interner.hash(b[subject])
        case .service: agencyHash = Interner.hash(b[agency])
        case .fieldReport, .metric: break
        }
    }
}
