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
/// A flat, trivial value type, so a batch's events are one contiguous buffer and building one never allocates. It
/// is kept small (120 bytes, down from 184), because the aggregator reads every event from another core's cache:
/// the members of one kind only share storage with members of other kinds (`payload`), each stored so that zero
/// bits mean its default. A member that does not belong to the event's kind reads as its default on a fresh
/// `Event()`, but once a member of the event's own kind is set, the members sharing its storage read as something
/// else: read only the members of the event's kind (the list at each member).
public struct Event: Sendable {
    public var kind: EventKind = .metric
    /// Field report.
    public var reportStatus: ReportStatus = .new
    /// Service.
    public var dossierEvent: DossierEvent = .received
    /// Service.
    public var channel: DossierChannel = .counter
    /// Security `severity` (1–5); see `severity`.
    private var severityLevel: UInt8 = 3
    public var source: Int32 = 0
    /// Resolved field-report category index in the rules (set by classification), -1 when not classified.
    public var categoryIndex: Int32 = -1
    /// Event time, nanoseconds since the Unix epoch (UTC).
    public var ts: Int64 = 0
    public var district: ByteRef = .absent
    /// The tracked identity: report `id`, traffic/security `sensor`, service `dossier`, metric `name`.
    public var key: ByteRef = .absent
    /// Traffic `segment` (defaults to the sensor); security `type`.
    public var subject: ByteRef = .absent
    /// Field-report `agency` on `assigned`; service `agency`.
    public var agency: ByteRef = .absent

    /// The members of one kind, four words shared between kinds: traffic `vehicles`, `speedKmh`, `occupancy`,
    /// `intervalS`; field report `text`, `category`, `due`; service `due` (third word); metric `value` (first
    /// word). Each is stored with its default as zero bits.
    private var payload: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

    /// Where the original object text is in the batch's line bytes (for dispatch and dead letters).
    public var lineStart: UInt32 = 0
    public var lineCount: UInt32 = 0
    /// The physical line number in its source, 1-based.
    public var lineNumber: Int = 0

    /// The upper half of `Interner.hash` (all of it an interner uses) of `district`, `key`, `subject` and
    /// `agency`, computed by the parallel parse stage (`hashKeys(_:)`) so the single aggregator thread only probes
    /// its tables (`Interner.intern(_:tag:allowNew:)`).
    public var districtHash: UInt32 = 0
    public var keyHash: UInt32 = 0
    public var subjectHash: UInt32 = 0
    public var agencyHash: UInt32 = 0

    @inline(__always) public init() {}

    /// Security: 1–5 (default 3); kept in a byte, values outside 0–255 clamped.
    public var severity: Int {
        @inline(__always) get { Int(severityLevel) }
        @inline(__always) set { severityLevel = UInt8(clamping: newValue) }
    }

    /// Traffic (first word).
    public var vehicles: Int64 {
        @inline(__always) get { Int64(bitPattern: payload.0) }
        @inline(__always) set { payload.0 = UInt64(bitPattern: newValue) }
    }

    /// Traffic (second word).
    public var speedKmh: Double {
        @inline(__always) get { Double(bitPattern: payload.1) }
        @inline(__always) set { payload.1 = newValue.bitPattern }
    }

    /// Traffic (third word); NaN when absent.
    public var occupancy: Double {
        @inline(__always) get { Double(bitPattern: payload.2 ^ Event.nanBits) }
        @inline(__always) set { payload.2 = newValue.bitPattern ^ Event.nanBits }
    }

    /// Traffic (fourth word); 60 when absent.
    public var intervalS: Int64 {
        @inline(__always) get { Int64(bitPattern: payload.3 ^ 60) }
        @inline(__always) set { payload.3 = UInt64(bitPattern: newValue) ^ 60 }
    }

    /// Field-report `text` (first word).
    public var text: ByteRef {
        @inline(__always) get { Event.byteRef(payload.0) }
        @inline(__always) set { payload.0 = Event.bits(newValue) }
    }

    /// Field-report `category` as given, maybe unknown to the rules (second word).
    public var category: ByteRef {
        @inline(__always) get { Event.byteRef(payload.1) }
        @inline(__always) set { payload.1 = Event.bits(newValue) }
    }

    /// Service `due`, or an adapter's SLA due for a field report (third word); `Int64.min` when absent.
    public var due: Int64 {
        @inline(__always) get { Int64(bitPattern: payload.2 ^ Event.minBits) }
        @inline(__always) set { payload.2 = UInt64(bitPattern: newValue) ^ Event.minBits }
    }

    /// Metric `value` (first word).
    public var value: Double {
        @inline(__always) get { Double(bitPattern: payload.0) }
        @inline(__always) set { payload.0 = newValue.bitPattern }
    }

    private static let nanBits = Double.nan.bitPattern
    private static let minBits = UInt64(bitPattern: Int64.min)

    /// A `ByteRef` as a word whose zero is `ByteRef.absent`.
    @inline(__always)
    private static func bits(_ r: ByteRef) -> UInt64 { UInt64(r.start ^ UInt32.max) | UInt64(r.count) << 32 }

    @inline(__always)
    private static func byteRef(_ w: UInt64) -> ByteRef {
        ByteRef(start: UInt32(truncatingIfNeeded: w) ^ UInt32.max, count: UInt32(truncatingIfNeeded: w >> 32))
    }
}

extension Event {
    /// Fills the hashes of the keys the aggregator interns for this kind (`WindowAggregator.apply`): district
    /// and key always, subject for traffic (segment) and security (type), agency for services.
    ///
    /// - Complexity: O(length of the keys); does not allocate.
    @inline(__always)
    public mutating func hashKeys(_ b: EventBytes) {
        districtHash = Interner.tag(Interner.hash(b[district]))
        keyHash = Interner.tag(Interner.hash(b[key]))
        switch kind {
        case .traffic, .security: subjectHash = Interner.tag(Interner.hash(b[subject]))
        case .service: agencyHash = Interner.tag(Interner.hash(b[agency]))
        case .fieldReport, .metric: break
        }
    }
}
