/// One problem in a rules file, with the JSON path where it is (`$.categories[2].sla`).
public struct RuleError: Error, Equatable, Sendable, CustomStringConvertible {
    public var path: String
    public var message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }
}

/// Every problem found in a rules file.
public struct RulesCheckFailure: Error, Equatable, Sendable {
    public var errors: [RuleError]
}

/// Reads and writes rules as JSON (`ioc rules --print-default`, `--rules FILE`, `ioc rules --check FILE`).
///
/// A rules file is an object with any of the sections below; a section it leaves out keeps the default, a
/// section it gives replaces the default's whole section (so `categories` lists every category). Unknown members
/// are errors, so a typo is caught instead of silently ignored.
///
/// ```
/// {"schema":"ioc.rules/1",
///  "categories":[{"code","agency","priority":"P1".."P4","sla":"1h","phrases":[…]}…],
///  "fallback":{"code","agency","priority","sla"},
///  "security":{"p1_min_severity","p1_types":[…],"severity_priority":{"1":"P4",…},"routes":{type:route},
///              "default_route"},
///  "traffic":{"free_min_kmh","moderate_min_kmh","heavy_min_kmh"},
///  "sensor_ttl":"5m",
///  "alerts":{"traffic_jam_readings","security_hotspot_min_events",
///            "metric_sla":[{"match":"*.response_ms","stat":"p95","above":2000}…]},
///  "adapters":{"ngsi_alert":[{"category","sub_category","kind":"field_report"|"security"|"ignore",
///                             "report_category","type","severity"}…]}}
/// ```
public enum RulesCodec {
    public static let schema = "ioc.rules/1"

    /// Parses and checks a rules document; every error found is reported, not only the first.
    public static func decode(_ bytes: [UInt8]) -> Result<Rules, RulesCheckFailure> {
        let root: JSONValue
        do {
            root = try JSONValue.parse(bytes)
        } catch {
            let message = "invalid JSON at line \(error.line), column \(error.column): \(error.message)"
            return .failure(RulesCheckFailure(errors: [RuleError(path: "$", message: message)]))
        }
        var d = Decoder()
        let rules = d.rules(root)
        return d.errors.isEmpty ? .success(rules) : .failure(RulesCheckFailure(errors: d.errors))
    }

    /// The rules as pretty-printed JSON, in the format `decode` reads.
    public static func encode(_ rules: Rules) -> String {
        func category(_ c: ReportCategory, phrases: Bool) -> JSONValue {
            var members: [JSONObjectMember] = [
                .init(key: "code", value: .string(c.code)),
                .init(key: "agency", value: .string(c.agency)),
                .init(key: "priority", value: .string(c.priority.name)),
                .init(key: "sla", value: .string(DurationText.format(c.sla))),
            ]
            if phrases { members.append(.init(key: "phrases", value: .array(c.phrases.map { .string($0) }))) }
            return .object(members)
        }
        let thresholds: [JSONValue] = rules.metricThresholds.map { t in
            var m: [JSONObjectMember] = [
                .init(key: "match", value: .string(t.pattern)), .init(key: "stat", value: .string(t.stat.rawValue)),
            ]
            if let a = t.above { m.append(.init(key: "above", value: .number(a))) }
            if let b = t.below { m.append(.init(key: "below", value: .number(b))) }
            return .object(m)
        }
        let root: JSONValue = .object([
            .init(key: "schema", value: .string(schema)),
            .init(key: "categories", value: .array(rules.categories.map { category($0, phrases: true) })),
            .init(key: "fallback", value: category(rules.fallback, phrases: false)),
            .init(
                key: "security",
                value: .object([
                    .init(key: "p1_min_severity", value: .number(Double(rules.securityP1MinSeverity))),
                    .init(key: "p1_types", value: .array(rules.securityP1Types.map { .string($0) })),
                    .init(
                        key: "severity_priority",
                        value: .object(
                            rules.securitySeverityPriority.sorted { $0.key < $1.key }.map {
                                .init(key: String($0.key), value: .string($0.value.name))
                            })),
                    .init(
                        key: "routes",
                        value: .object(
                            rules.securityRoutes.sorted { $0.key < $1.key }.map {
                                .init(key: $0.key, value: .string($0.value))
                            })),
                    .init(key: "default_route", value: .string(rules.securityDefaultRoute)),
                ])),
            .init(
                key: "traffic",
                value: .object([
                    .init(key: "free_min_kmh", value: .number(rules.trafficFreeMin)),
                    .init(key: "moderate_min_kmh", value: .number(rules.trafficModerateMin)),
                    .init(key: "heavy_min_kmh", value: .number(rules.trafficHeavyMin)),
                ])),
            .init(key: "sensor_ttl", value: .string(DurationText.format(rules.sensorTTL))),
            .init(
                key: "alerts",
                value: .object([
                    .init(key: "traffic_jam_readings", value: .number(Double(rules.jamReadings))),
                    .init(key: "security_hotspot_min_events", value: .number(Double(rules.hotspotMinEvents))),
                    .init(key: "metric_sla", value: .array(thresholds)),
                ])),
            .init(key: "adapters", value: encode(rules.adapters)),
        ])
        var out = ""
        pretty(root, indent: 0, into: &out)
        return out + "\n"
    }

    /// Indented JSON: objects one member a line, arrays of scalars on one line.
    static func pretty(_ v: JSONValue, indent: Int, into out: inout String) {
        let pad = String(repeating: "  ", count: indent + 1)
        let closePad = String(repeating: "  ", count: indent)
        switch v {
        case .object(let members) where !members.isEmpty:
            out += "{\n"
            for (i, m) in members.enumerated() {
                out += pad + JSONValue.string(m.key).serialized() + ": "
                pretty(m.value, indent: indent + 1, into: &out)
                out += i + 1 < members.count ? ",\n" : "\n"
            }
            out += closePad + "}"
        case .array(let items) where items.contains(where: { if case .object = $0 { true } else { false } }):
            out += "[\n"
            for (i, item) in items.enumerated() {
                out += pad
                pretty(item, indent: indent + 1, into: &out)
                out += i + 1 < items.count ? ",\n" : "\n"
            }
            out += closePad + "]"
        case .array(let items):
            out += "[" + items.map { $0.serialized() }.joined(separator: ", ") + "]"
        default:
            out += v.serialized()
        }
    }

    /// Walks the document, collecting errors with their paths.
    struct Decoder {
        var errors: [RuleError] = []

        mutating func fail(_ path: String, _ message: String) {
            errors.append(RuleError(path: path, message: message))
        }

        mutating func object(_ v: JSONValue?, _ path: String, allowed: Set<String>) -> [JSONObjectMember]? {
            guard let v else { return nil }
            guard case .object(let members) = v else {
                fail(path, "expected an object")
                return nil
            }
            for m in members where !allowed.contains(m.key) {
                fail(path + "." + m.key, "unknown member (allowed: \(allowed.sorted().joined(separator: ", ")))")
            }
            return members
        }

        mutating func string(_ v: JSONValue?, _ path: String) -> String? {
            guard let v else {
                fail(path, "missing")
                return nil
            }
            guard case .string(let s) = v, !s.isEmpty else {
                fail(path, "expected a non-empty string")
                return nil
            }
            return s
        }

        mutating func number(_ v: JSONValue?, _ path: String, min: Double? = nil) -> Double? {
            guard let v else {
                fail(path, "missing")
                return nil
            }
            guard case .number(let n) = v, n.isFinite else {
                fail(path, "expected a number")
                return nil
            }
            if let min, n < min {
                fail(path, "must be at least \(JSONValue.number(min).serialized())")
                return nil
            }
            return n
        }

        mutating func integer(_ v: JSONValue?, _ path: String, min: Int) -> Int? {
            guard let n = number(v, path) else { return nil }
            guard n == n.rounded(), n >= Double(min), n < 1e9 else {
                fail(path, "expected an integer ≥ \(min)")
                return nil
            }
            return Int(n)
        }

        mutating func priority(_ v: JSONValue?, _ path: String) -> Priority? {
            guard let s = string(v, path) else { return nil }
            guard let p = Priority(name: s) else {
                fail(path, "expected P1, P2, P3 or P4, got \"\(s)\"")
                return nil
            }
            return p
        }

        mutating func duration(_ v: JSONValue?, _ path: String) -> Int64? {
            guard let s = string(v, path) else { return nil }
            guard let d = DurationText.parse(s), d > 0 else {
                if DurationText.isTooLong(s) {
                    fail(path, "\"\(s)\" is longer than the longest duration, \(DurationText.longest)")
                } else {
                    fail(path, "expected a positive duration such as 30s, 5m or 24h, got \"\(s)\"")
                }
                return nil
            }
            return d
        }

        mutating func strings(_ v: JSONValue?, _ path: String) -> [String]? {
            guard let v else {
                fail(path, "missing")
                return nil
            }
            guard case .array(let items) = v else {
                fail(path, "expected an array of strings")
                return nil
            }
            var out: [String] = []
            for (i, item) in items.enumerated() {
                if let s = string(item, "\(path)[\(i)]") { out.append(s) }
            }
            return out
        }

        mutating func category(_ v: JSONValue, _ path: String, phrases: Bool) -> ReportCategory? {
            let allowed: Set<String> =
                phrases
                ? ["code", "agency", "priority", "sla", "phrases"]
                : ["code", "agency", "priority", "sla"]
            guard object(v, path, allowed: allowed) != nil else { return nil }
            let code = string(v["code"], path + ".code")
            let agency = string(v["agency"], path + ".agency")
            let priority = priority(v["priority"], path + ".priority")
            let sla = duration(v["sla"], path + ".sla")
            let list = phrases ? strings(v["phrases"], path + ".phrases") : []
            guard let code, let agency, let priority, let sla, let list else { return nil }
            return ReportCategory(code: code, agency: agency, priority: priority, sla: sla, phrases: list)
        }

        mutating func rules(_ root: JSONValue) -> Rules {
            var r = Rules.default
            let top: Set<String> = [
                "schema", "categories", "fallback", "security", "traffic", "sensor_ttl", "alerts", "adapters",
            ]
            guard object(root, "$", allowed: top) != nil else { return r }
            if let schema = root["schema"], schema != .string(RulesCodec.schema) {
                fail("$.schema", "expected \"\(RulesCodec.schema)\"")
            }
            if let v = root["categories"] {
                if case .array(let items) = v, !items.isEmpty {
                    var cats: [ReportCategory] = []
                    for (i, item) in items.enumerated() {
                        if let c = category(item, "$.categories[\(i)]", phrases: true) {
                            if cats.contains(where: { $0.code == c.code }) {
                                fail("$.categories[\(i)].code", "duplicate category \"\(c.code)\"")
                            }
                            cats.append(c)
                        }
                    }
                    r.categories = cats
                } else {
                    fail("$.categories", "expected a non-empty array of categories")
                }
            }
            if let v = root["fallback"], let c = category(v, "$.fallback", phrases: false) { r.fallback = c }
            if r.categories.contains(where: { $0.code == r.fallback.code }) {
                fail("$.fallback.code", "\"\(r.fallback.code)\" is also a category")
            }
            if let v = root["security"],
                object(
                    v, "$.security",
                    allowed: ["p1_min_severity", "p1_types", "severity_priority", "routes", "default_route"]) != nil
            {
                if let x = v["p1_min_severity"], let n = integer(x, "$.security.p1_min_severity", min: 1) {
                    r.securityP1MinSeverity = n
                }
                if let x = v["p1_types"], let list = strings(x, "$.security.p1_types") { r.securityP1Types = list }
                if let x = v["severity_priority"],
                    let members = object(
                        x, "$.security.severity_priority",
                        allowed: ["1", "2", "3", "4", "5"])
                {
                    var map: [Int: Priority] = [:]
                    // A key other than 1…5 has been reported as an unknown member already.
                    for m in members {
                        guard m.key.utf8.count == 1, let severity = Int(m.key), (1...5).contains(severity) else {
                            continue
                        }
                        if let p = priority(m.value, "$.security.severity_priority.\(m.key)") { map[severity] = p }
                    }
                    r.securitySeverityPriority = map
                }
                if let x = v["routes"] {
                    if case .object(let members) = x {
                        var map: [String: String] = [:]
                        for m in members {
                            if let s = string(m.value, "$.security.routes.\(m.key)") { map[m.key] = s }
                        }
                        r.securityRoutes = map
                    } else {
                        fail("$.security.routes", "expected an object of type → route")
                    }
                }
                if let x = v["default_route"], let s = string(x, "$.security.default_route") {
                    r.securityDefaultRoute = s
                }
            }
            if let v = root["traffic"],
                object(v, "$.traffic", allowed: ["free_min_kmh", "moderate_min_kmh", "heavy_min_kmh"]) != nil
            {
                if let x = v["free_min_kmh"], let n = number(x, "$.traffic.free_min_kmh", min: 0) {
                    r.trafficFreeMin = n
                }
                if let x = v["moderate_min_kmh"], let n = number(x, "$.traffic.moderate_min_kmh", min: 0) {
                    r.trafficModerateMin = n
                }
                if let x = v["heavy_min_kmh"], let n = number(x, "$.traffic.heavy_min_kmh", min: 0) {
                    r.trafficHeavyMin = n
                }
                if !(r.trafficFreeMin >= r.trafficModerateMin && r.trafficModerateMin >= r.trafficHeavyMin) {
                    fail("$.traffic", "levels must satisfy free_min_kmh ≥ moderate_min_kmh ≥ heavy_min_kmh")
                }
            }
            if let v = root["sensor_ttl"], let d = duration(v, "$.sensor_ttl") { r.sensorTTL = d }
            if let v = root["alerts"],
                object(
                    v, "$.alerts", allowed: ["traffic_jam_readings", "security_hotspot_min_events", "metric_sla"])
                    != nil
            {
                if let x = v["traffic_jam_readings"], let n = integer(x, "$.alerts.traffic_jam_readings", min: 1) {
                    r.jamReadings = n
                }
                if let x = v["security_hotspot_min_events"],
                    let n = integer(x, "$.alerts.security_hotspot_min_events", min: 1)
                {
                    r.hotspotMinEvents = n
                }
                if let x = v["metric_sla"] {
                    if case .array(let items) = x {
                        var list: [MetricThreshold] = []
                        for (i, item) in items.enumerated() {
                            let path = "$.alerts.metric_sla[\(i)]"
                            guard object(item, path, allowed: ["match", "stat", "above", "below"]) != nil else {
                                continue
                            }
                            let pattern = string(item["match"], path + ".match")
                            var stat: MetricThreshold.Stat?
                            if let s = string(item["stat"], path + ".stat") {
                                stat = MetricThreshold.Stat(rawValue: s)
                                if stat == nil {
                                    fail(path + ".stat", "expected one of mean, min, max, p50, p95, p99, last")
                                }
                            }
                            let above = item["above"].flatMap { number($0, path + ".above") }
                            let below = item["below"].flatMap { number($0, path + ".below") }
                            if item["above"] == nil && item["below"] == nil {
                                fail(path, "needs \"above\" or \"below\"")
                            }
                            if let pattern, let stat {
                                list.append(MetricThreshold(pattern: pattern, stat: stat, above: above, below: below))
                            }
                        }
                        r.metricThresholds = list
                    } else {
                        fail("$.alerts.metric_sla", "expected an array of thresholds")
                    }
                }
            }
            if let v = root["adapters"], let a = adapters(v, "$.adapters", categories: r.allCategories) {
                r.adapters = a
            }
            return r
        }
    }
}
