/// The rules of SPEC §6.
public enum AlertRule: String, Sendable, CaseIterable {
    case trafficJam = "traffic.jam"
    case sensorOffline = "sensor.offline"
    case securityHotspot = "security.hotspot"
    case reportOverdue = "report.overdue"
    case metricSLA = "metric.sla"
}

/// An active alert. Two alerts are equal when their subjects are the same bytes (`ExactString`).
public struct Alert: Equatable, Sendable {
    public var rule: AlertRule
    public var subject: String
    public var priority: Priority
    /// Event time it was raised at, nanoseconds.
    public var since: Int64

    public var id: String { "\(rule.rawValue):\(subject)" }

    public static func == (a: Alert, b: Alert) -> Bool {
        a.rule == b.rule && a.priority == b.priority && a.since == b.since
            && ExactString.sameBytes(a.subject, b.subject)
    }
}

/// A raise or a clear, for the `--alerts` stream.
public struct AlertChange: Equatable, Sendable {
    public var raised: Bool
    public var alert: Alert
    /// When it happened (event time), nanoseconds.
    public var at: Int64
}

/// The set of active alerts, with totals: raising only an inactive alert and clearing only an active one.
///
/// Alerts are told apart by the bytes of their id, as every other key of the engine is: a district spelled
/// precomposed by one system and decomposed by another is two subjects, each with its own alerts.
public struct AlertBook: Sendable {
    public private(set) var active: [ExactString: Alert] = [:]
    public private(set) var raisedTotal = 0
    public private(set) var clearedTotal = 0
    /// Active alerts per rule, in `AlertRule.allCases` order.
    private var activeByRule = [Int](repeating: 0, count: AlertRule.allCases.count)
    /// Changes since the owner last drained them (written to `--alerts` in order).
    public var changes: [AlertChange] = []
    /// How many alerts a snapshot lists.
    public let listLimit: Int
    /// The `listLimit` most urgent active alerts, most urgent first, kept up to date on raises and recomputed
    /// after a clear that touches it (nil then): a snapshot never sorts every active alert again.
    private var top: [Alert]? = []

    public init(listLimit: Int = 50) {
        self.listLimit = listLimit
    }

    /// Raises an alert unless one with the same id is active. Returns whether it was raised.
    @discardableResult
    public mutating func raise(_ rule: AlertRule, subject: String, priority: Priority, at: Int64) -> Bool {
        let alert = Alert(rule: rule, subject: subject, priority: priority, since: at)
        let id = ExactString(alert.id)
        guard active[id] == nil else { return false }
        active[id] = alert
        raisedTotal += 1
        activeByRule[rule.index] += 1
        if var list = top {
            // While fewer than `listLimit` are active the list holds them all; past it, only a more urgent one enters.
            if list.count < listLimit || AlertBook.moreUrgent(alert, list[list.count - 1]) {
                list.insert(alert, at: AlertBook.insertionIndex(of: alert, in: list))
                if list.count > listLimit { list.removeLast() }
                top = list
            }
        }
        changes.append(AlertChange(raised: true, alert: alert, at: at))
        return true
    }

    /// Clears an active alert. Returns whether one was active.
    @discardableResult
    public mutating func clear(_ rule: AlertRule, subject: String, at: Int64) -> Bool {
        let id = ExactString("\(rule.rawValue):\(subject)")
        guard let alert = active.removeValue(forKey: id) else { return false }
        clearedTotal += 1
        activeByRule[rule.index] -= 1
        if let list = top, list.contains(where: { $0.rule == rule && ExactString.sameBytes($0.subject, subject) }) {
            top = nil
        }
        changes.append(AlertChange(raised: false, alert: alert, at: at))
        return true
    }

    /// Whether `a` is more urgent than `b`: priority (P1 first), then `since` (oldest first), then `id`.
    static func moreUrgent(_ a: Alert, _ b: Alert) -> Bool {
        if a.priority != b.priority { return a.priority < b.priority }
        if a.since != b.since { return a.since < b.since }
        // Byte order of `id` = rule, then subject: no rule name is a prefix of another, so the two agree
        // without building the id strings.
        if a.rule != b.rule { return a.rule.rawValue.utf8.lexicographicallyPrecedes(b.rule.rawValue.utf8) }
        return a.subject.utf8.lexicographicallyPrecedes(b.subject.utf8)
    }

    /// Where `alert` goes in a most-urgent-first list.
    static func insertionIndex(of alert: Alert, in list: [Alert]) -> Int {
        var lo = 0
        var hi = list.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if AlertBook.moreUrgent(list[mid], alert) { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// The `listLimit` most urgent active alerts, most urgent first.
    ///
    /// - Complexity: O(1) when nothing in the list was cleared since the last call; otherwise O(n log limit), a
    ///   bounded selection over the active alerts, not a sort.
    public mutating func mostUrgent() -> [Alert] {
        if let top { return top }
        var list: [Alert] = []
        list.reserveCapacity(listLimit + 1)
        for a in active.values {
            if list.count == listLimit, let last = list.last, !AlertBook.moreUrgent(a, last) { continue }
            list.insert(a, at: AlertBook.insertionIndex(of: a, in: list))
            if list.count > listLimit { list.removeLast() }
        }
        top = list
        return list
    }

    /// Active alerts per rule (non-zero only), sorted by rule name.
    public func countByRule() -> [(String, Int)] {
        AlertRule.allCases.filter { activeByRule[$0.index] > 0 }.map { ($0.rawValue, activeByRule[$0.index]) }
            .sorted { $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }
    }
}

extension AlertRule {
    /// Dense index for per-rule tables.
    var index: Int {
        switch self {
        case .trafficJam: 0
        case .sensorOffline: 1
        case .securityHotspot: 2
        case .reportOverdue: 3
        case .metricSLA: 4
        }
    }
}
