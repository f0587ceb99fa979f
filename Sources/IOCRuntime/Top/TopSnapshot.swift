import IOCCore

/// The members of one `ioc.snapshot/1` line that `ioc top` shows (SPEC §5), read from a `JSONValue`.
///
/// Every member is optional on the way in: a snapshot from an older or newer writer, or a replay without the live
/// pipeline members, still shows what it has, with `-` for the rest.
public struct TopSnapshot: Equatable, Sendable {
    /// One row of `alerts.active`.
    public struct Alert: Equatable, Sendable {
        public var id: String
        public var rule: String
        public var subject: String
        public var priority: String
        /// RFC 3339, as written by the run.
        public var since: String
        /// `since` in nanoseconds since the epoch, nil when it does not parse.
        public var sinceNanoseconds: Int64?
    }

    /// One row of `traffic.slowest`.
    public struct Segment: Equatable, Sendable {
        public var name: String
        public var meanSpeed: Double?
        public var level: String
    }

    /// A named count, such as one traffic level or one priority.
    public struct Count: Equatable, Sendable {
        public var name: String
        public var value: Int?
    }

    /// One entry of `metrics`.
    public struct Metric: Equatable, Sendable {
        public var name: String
        public var count: Int?
        public var p95: Double?
        public var last: Double?
    }

    public var windowStart: String
    public var windowEnd: String
    /// `window.end` in nanoseconds since the epoch, nil when it does not parse.
    public var windowEndNanoseconds: Int64?
    public var isFinal: Bool
    public var watermark: String?

    // pipeline (totals since the run started)
    public var lines: Int?
    public var accepted: Int?
    public var rejected: Int?
    public var late: Int?
    public var duplicates: Int?
    public var dropped: Int?
    /// `pipeline.ring_fill`: share of the parse stage's ring slots in use, 0…1 (live runs only).
    public var ringFill: Double?
    /// `pipeline.watermark_lag_ms`: wall clock minus watermark (live runs only; null before the first event).
    public var watermarkLagMilliseconds: Int?
    /// `pipeline.subscribers` (with `--publish` only).
    public var subscribers: Int?
    /// `pipeline.subscribers_dropped` (with `--publish` only).
    public var subscribersDropped: Int?

    // field_reports
    public var reportsReceived: Int?
    public var reportsResolved: Int?
    public var reportsOpen: Int?
    public var reportsOverdue: Int?
    public var reportsResolvedShare: Double?

    // traffic
    public var trafficReadings: Int?
    public var meanSpeed: Double?
    /// `traffic.levels`: readings per level, in the order free, moderate, heavy, jam.
    public var levels: [Count]
    public var slowest: [Segment]

    // security
    public var securityEvents: Int?
    /// `security.by_priority`, P1…P4.
    public var byPriority: [Count]
    /// `security.by_route`, in the snapshot's (sorted) order.
    public var byRoute: [Count]

    // services
    public var servicesReceived: Int?
    public var servicesResolved: Int?
    public var servicesResolvedOnTime: Int?
    public var onTimeRate: Double?
    public var inProgress: Int?
    public var servicesOverdue: Int?

    public var metrics: [Metric]

    // alerts
    public var activeAlerts: Int?
    /// `alerts.active` (the run lists at most 50), in the snapshot's order.
    public var alerts: [Alert]
    public var raised: Int?
    public var cleared: Int?

    /// Why a line is not a snapshot `ioc top` can show.
    public enum Rejection: Error, Equatable, Sendable {
        /// Not JSON at all.
        case malformed
        /// JSON, but not an object with `"schema":"ioc.snapshot/1"` and a `window`.
        case notSnapshot
    }

    /// Reads one snapshot line (without its newline).
    /// - Complexity: O(line length); allocates the JSON tree.
    public static func parse(_ line: some Collection<UInt8>) -> Result<TopSnapshot, Rejection> {
        let value: JSONValue
        do { value = try JSONValue.parse(line) } catch { return .failure(.malformed) }
        guard let snapshot = TopSnapshot(value) else { return .failure(.notSnapshot) }
        return .success(snapshot)
    }

    /// Reads a parsed snapshot, or nil when it is not `ioc.snapshot/1` with a window.
    public init?(_ v: JSONValue) {
        guard case .string("ioc.snapshot/1") = v["schema"], let window = v["window"],
            case .string(let start) = window["start"], case .string(let end) = window["end"]
        else { return nil }
        windowStart = start
        windowEnd = end
        windowEndNanoseconds = Self.nanoseconds(end)
        isFinal = window["final"] != .bool(false)
        watermark = v["watermark"]?.stringValue

        let p = v["pipeline"]
        lines = p?["lines"]?.intValue
        accepted = p?["accepted"]?.intValue
        rejected = p?["rejected"]?.intValue
        late = p?["late"]?.intValue
        duplicates = p?["duplicates"]?.intValue
        dropped = p?["dropped"]?.intValue
        ringFill = p?["ring_fill"]?.doubleValue
        watermarkLagMilliseconds = p?["watermark_lag_ms"]?.intValue
        subscribers = p?["subscribers"]?.intValue
        subscribersDropped = p?["subscribers_dropped"]?.intValue

        let f = v["field_reports"]
        reportsReceived = f?["received"]?.intValue
        reportsResolved = f?["resolved"]?.intValue
        reportsOpen = f?["open"]?.intValue
        reportsOverdue = f?["overdue"]?.intValue
        reportsResolvedShare = f?["resolved_share"]?.doubleValue

        let t = v["traffic"]
        trafficReadings = t?["readings"]?.intValue
        meanSpeed = t?["mean_speed_kmh"]?.doubleValue
        levels = ["free", "moderate", "heavy", "jam"].map { Count(name: $0, value: t?["levels"]?[$0]?.intValue) }
        slowest = (t?["slowest"]?.arrayValue ?? []).map {
            Segment(
                name: $0["segment"]?.stringValue ?? "?", meanSpeed: $0["mean_speed_kmh"]?.doubleValue,
                level: $0["level"]?.stringValue ?? "?")
        }

        let s = v["security"]
        securityEvents = s?["events"]?.intValue
        byPriority = ["P1", "P2", "P3", "P4"].map { Count(name: $0, value: s?["by_priority"]?[$0]?.intValue) }
        byRoute = (s?["by_route"]?.members ?? []).map { Count(name: $0.key, value: $0.value.intValue) }

        let d = v["services"]
        servicesReceived = d?["received"]?.intValue
        servicesResolved = d?["resolved"]?.intValue
        servicesResolvedOnTime = d?["resolved_on_time"]?.intValue
        onTimeRate = d?["on_time_rate"]?.doubleValue
        inProgress = d?["in_progress"]?.intValue
        servicesOverdue = d?["overdue"]?.intValue

        metrics = (v["metrics"]?.members ?? []).map {
            Metric(
                name: $0.key, count: $0.value["count"]?.intValue, p95: $0.value["p95"]?.doubleValue,
                last: $0.value["last"]?.doubleValue)
        }

        let a = v["alerts"]
        activeAlerts = a?["active_total"]?.intValue
        raised = a?["raised"]?.intValue
        cleared = a?["cleared"]?.intValue
        alerts = (a?["active"]?.arrayValue ?? []).map {
            let since = $0["since"]?.stringValue ?? ""
            return Alert(
                id: $0["id"]?.stringValue ?? "", rule: $0["rule"]?.stringValue ?? "?",
                subject: $0["subject"]?.stringValue ?? "?", priority: $0["priority"]?.stringValue ?? "?",
                since: since, sinceNanoseconds: Self.nanoseconds(since))
        }
    }

    /// Events of the window itself: field reports received + traffic readings + security events + dossiers
    /// received + every metric's count.
    ///
    /// This sum, not the difference of `pipeline.accepted` between consecutive snapshots, is what the sparkline
    /// draws: it belongs to the window (late events and lifecycle steps other than the first are not in it), it is
    /// known from the first snapshot received, and it stays right when `ioc top` joins a run late or misses a
    /// snapshot across a reconnect.
    public var windowEvents: Int {
        (reportsReceived ?? 0) + (trafficReadings ?? 0) + (securityEvents ?? 0) + (servicesReceived ?? 0)
            + metrics.reduce(0) { $0 + ($1.count ?? 0) }
    }

    /// Active alerts newest first (`since` descending), then by priority (P1 first), then by id: what an operator
    /// wants on top is what just happened.
    public var alertsNewestFirst: [Alert] {
        alerts.sorted { a, b in
            let ta = a.sinceNanoseconds ?? .min
            let tb = b.sinceNanoseconds ?? .min
            if ta != tb { return ta > tb }
            if a.priority != b.priority { return a.priority < b.priority }
            return a.id < b.id
        }
    }

    static func nanoseconds(_ text: String) -> Int64? {
        var bytes = Array(text.utf8)
        return bytes.withUnsafeMutableBytes { Timestamp.parse(UnsafeRawBufferPointer($0)) }
    }
}

extension JSONValue {
    /// A number that is a whole value, as `Int`; nil otherwise (also for null).
    fileprivate var intValue: Int? {
        guard case .number(let n) = self, n.isFinite, n.rounded() == n, n.magnitude < 9.0e15 else { return nil }
        return Int(n)
    }

    fileprivate var doubleValue: Double? {
        guard case .number(let n) = self, n.isFinite else { return nil }
        return n
    }

    fileprivate var stringValue: String? {
        guard case .string(let s) = self else { return nil }
        return s
    }

    fileprivate var arrayValue: [JSONValue]? {
        guard case .array(let a) = self else { return nil }
        return a
    }

    fileprivate var members: [JSONObjectMember]? {
        guard case .object(let m) = self else { return nil }
        return m
    }
}
