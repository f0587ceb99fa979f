/// An alert or report priority, P1 (most urgent) to P4.
public enum Priority: Int, Comparable, Sendable, CaseIterable {
    case p1 = 1, p2, p3, p4

    public var name: String { "P\(rawValue)" }

    public init?(name: String) {
        switch name {
        case "P1": self = .p1
        case "P2": self = .p2
        case "P3": self = .p3
        case "P4": self = .p4
        default: return nil
        }
    }

    public static func < (a: Priority, b: Priority) -> Bool { a.rawValue < b.rawValue }
}

/// A field-report category: who handles it, how urgent it is, and the phrases that recognise it (SPEC §3).
public struct ReportCategory: Equatable, Sendable {
    public var code: String
    public var agency: String
    public var priority: Priority
    /// Service-level agreement, nanoseconds from `new` to due.
    public var sla: Int64
    public var phrases: [String]

    public init(code: String, agency: String, priority: Priority, sla: Int64, phrases: [String]) {
        self.code = code
        self.agency = agency
        self.priority = priority
        self.sla = sla
        self.phrases = phrases
    }
}

/// A `metric.sla` threshold: metrics whose name matches `pattern` break it when `stat` of a window is above
/// `above` or below `below`.
public struct MetricThreshold: Equatable, Sendable {
    public enum Stat: String, CaseIterable, Sendable { case mean, min, max, p50, p95, p99, last }
    /// A name, optionally with one `*` wildcard at the start or end (`*.response_ms`, `portal.*`).
    public var pattern: String
    public var stat: Stat
    public var above: Double?
    public var below: Double?

    public init(pattern: String, stat: Stat, above: Double? = nil, below: Double? = nil) {
        self.pattern = pattern
        self.stat = stat
        self.above = above
        self.below = below
    }

    /// Whether `name` matches the pattern.
    public func matches(_ name: String) -> Bool {
        if pattern == "*" { return true }
        if pattern.hasPrefix("*") { return name.hasSuffix(pattern.dropFirst()) }
        if pattern.hasSuffix("*") { return name.hasPrefix(pattern.dropLast()) }
        return name == pattern
    }

    /// Whether `value` breaks the threshold.
    public func isBroken(by value: Double) -> Bool {
        if let above, value > above { return true }
        if let below, value < below { return true }
        return false
    }
}

/// Everything configurable about classification, routing, levels and alerts (SPEC §3, §6).
public struct Rules: Equatable, Sendable {
    /// Categories in priority order; ties in classification go to the earlier one.
    public var categories: [ReportCategory]
    /// The category of a report that matches nothing (`other`).
    public var fallback: ReportCategory

    /// Security events with at least this severity are P1.
    public var securityP1MinSeverity: Int
    /// Security types that are P1 whatever their severity.
    public var securityP1Types: [String]
    /// Priority for severities below `securityP1MinSeverity`, indexed by severity 1…5.
    public var securitySeverityPriority: [Int: Priority]
    /// Route of each security type.
    public var securityRoutes: [String: String]
    public var securityDefaultRoute: String

    /// Lower speed bounds of the traffic levels, km/h: `free` ≥ freeMin, `moderate` ≥ moderateMin,
    /// `heavy` ≥ heavyMin, else `jam`.
    public var trafficFreeMin: Double
    public var trafficModerateMin: Double
    public var trafficHeavyMin: Double

    /// A sensor is offline when its last event is older than this, nanoseconds.
    public var sensorTTL: Int64

    /// `traffic.jam` is raised on this many consecutive jam readings.
    public var jamReadings: Int
    /// `security.hotspot` is raised when a window has at least this many P1/P2 events in a district.
    public var hotspotMinEvents: Int
    public var metricThresholds: [MetricThreshold]
    /// Input adapters' mapping (SPEC §8): NGSI `Alert` categories to events.
    public var adapters: AdapterRules = .default

    /// Index of a category by code, including the fallback at `categories.count`.
    public func categoryIndex(code: String) -> Int? {
        if let i = categories.firstIndex(where: { $0.code == code }) { return i }
        return code == fallback.code ? categories.count : nil
    }

    /// The category at `index`, where `categories.count` is the fallback.
    public func category(at index: Int) -> ReportCategory {
        index < categories.count ? categories[index] : fallback
    }

    /// Every category, the fallback last.
    public var allCategories: [ReportCategory] { categories + [fallback] }
}

extension Rules {
    private static let hour: Int64 = 3_600_000_000_000

    /// The embedded default of SPEC §3 and §6.
    public static let `default` = Rules(
        categories: [
            ReportCategory(
                code: "fire", agency: "fire", priority: .p1, sla: 1 * hour,
                phrases: ["cháy", "hỏa hoạn", "bốc khói", "khói", "fire", "smoke", "burning"]),
            ReportCategory(
                code: "flooding", agency: "drainage", priority: .p2, sla: 24 * hour,
                phrases: ["ngập", "ngập úng", "tắc cống", "thoát nước", "flood", "flooding", "sewer", "clogged drain"]
            ),
            ReportCategory(
                code: "public_order", agency: "police", priority: .p2, sla: 24 * hour,
                phrases: ["trộm", "cướp", "đánh nhau", "gây rối", "tiếng ồn", "theft", "robbery", "fight", "noise"]),
            ReportCategory(
                code: "traffic", agency: "transport", priority: .p2, sla: 24 * hour,
                phrases: ["tai nạn", "ùn tắc", "kẹt xe", "accident", "traffic jam", "congestion"]),
            ReportCategory(
                code: "roads", agency: "transport", priority: .p3, sla: 72 * hour,
                phrases: ["ổ gà", "hư hỏng đường", "sụt lún", "nứt đường", "pothole", "road damage", "sinkhole"]),
            ReportCategory(
                code: "lighting", agency: "lighting", priority: .p3, sla: 48 * hour,
                phrases: ["đèn đường", "đèn chiếu sáng", "streetlight", "street light", "light out"]),
            ReportCategory(
                code: "sanitation", agency: "environment", priority: .p3, sla: 48 * hour,
                phrases: ["rác", "rác thải", "xả thải", "mùi hôi", "garbage", "trash", "litter", "dumping"]),
            ReportCategory(
                code: "trees", agency: "environment", priority: .p3, sla: 48 * hour,
                phrases: ["cây đổ", "cành cây", "cây xanh", "fallen tree", "tree"]),
            ReportCategory(
                code: "construction", agency: "construction", priority: .p4, sla: 120 * hour,
                phrases: ["lấn chiếm", "vỉa hè", "xây dựng trái phép", "encroachment", "illegal construction"]),
        ],
        fallback: ReportCategory(code: "other", agency: "ward", priority: .p4, sla: 120 * hour, phrases: []),
        securityP1MinSeverity: 4,
        securityP1Types: ["fire", "smoke", "weapon"],
        securitySeverityPriority: [1: .p4, 2: .p3, 3: .p2],
        securityRoutes: [
            "fire": "fire", "smoke": "fire",
            "intrusion": "police", "weapon": "police", "fight": "police", "crowd": "police", "loitering": "police",
            "camera_offline": "tech", "tamper": "tech",
            "ids_alert": "infosec", "ids_anomaly": "infosec",
        ],
        securityDefaultRoute: "ops",
        trafficFreeMin: 40,
        trafficModerateMin: 25,
        trafficHeavyMin: 10,
        sensorTTL: 300_000_000_000,
        jamReadings: 3,
        hotspotMinEvents: 5,
        metricThresholds: [
            MetricThreshold(pattern: "*.response_ms", stat: .p95, above: 2000),
            MetricThreshold(pattern: "*.up", stat: .mean, below: 0.99),
        ]
    )
}

/// A traffic level of a speed.
public enum TrafficLevel: Int, CaseIterable, Sendable {
    case free, moderate, heavy, jam

    public var name: String {
        switch self {
        case .free: "free"
        case .moderate: "moderate"
        case .heavy: "heavy"
        case .jam: "jam"
        }
    }
}

extension Rules {
    /// The level of a speed (SPEC §3).
    ///
    /// - Complexity: O(1).
    @inline(__always)
    public func level(ofSpeed speed: Double) -> TrafficLevel {
        if speed >= trafficFreeMin { return .free }
        if speed >= trafficModerateMin { return .moderate }
        if speed >= trafficHeavyMin { return .heavy }
        return .jam
    }

    /// The priority of a security event (SPEC §3).
    public func securityPriority(type: String, severity: Int) -> Priority {
        if severity >= securityP1MinSeverity || securityP1Types.contains(type) { return .p1 }
        return securitySeverityPriority[severity] ?? .p4
    }

    /// The route of a security event type (SPEC §3).
    public func securityRoute(type: String) -> String {
        securityRoutes[type] ?? securityDefaultRoute
    }
}
