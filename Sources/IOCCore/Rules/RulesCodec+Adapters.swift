// The `"adapters"` section of a rules file (SPEC §8):
//
//   "adapters":{"ngsi_alert":[{"category":"traffic","sub_category":"pothole","kind":"field_report",
//                              "report_category":"roads"}, {"category":"security","kind":"security"}, …]}
//
// `category`/`sub_category` left out (or "*") match any value; `kind` is field_report, security or ignore;
// `report_category` (field_report only) is a category code; `type` and `severity` (security only) fix the event's
// type and severity.

extension RulesCodec {
    static func encode(_ adapters: AdapterRules) -> JSONValue {
        let alerts: [JSONValue] = adapters.ngsiAlert.map { rule in
            var m: [JSONObjectMember] = []
            if let c = rule.category { m.append(.init(key: "category", value: .string(c))) }
            if let s = rule.subCategory { m.append(.init(key: "sub_category", value: .string(s))) }
            m.append(.init(key: "kind", value: .string(rule.action.rawValue)))
            if let c = rule.reportCategory { m.append(.init(key: "report_category", value: .string(c))) }
            if let t = rule.securityType { m.append(.init(key: "type", value: .string(t))) }
            if let s = rule.severity { m.append(.init(key: "severity", value: .number(Double(s)))) }
            return .object(m)
        }
        return .object([.init(key: "ngsi_alert", value: .array(alerts))])
    }
}

extension RulesCodec.Decoder {
    /// Decodes the section; `categories` are the rules' categories (with the fallback) that `report_category`
    /// may name.
    mutating func adapters(_ v: JSONValue, _ path: String, categories: [ReportCategory]) -> AdapterRules? {
        guard object(v, path, allowed: ["ngsi_alert"]) != nil else { return nil }
        var result = AdapterRules.default
        guard let list = v["ngsi_alert"] else { return result }
        guard case .array(let items) = list else {
            fail(path + ".ngsi_alert", "expected an array of alert rules")
            return nil
        }
        var rules: [NGSIAlertRule] = []
        for (i, item) in items.enumerated() {
            let p = "\(path).ngsi_alert[\(i)]"
            let allowed: Set<String> = ["category", "sub_category", "kind", "report_category", "type", "severity"]
            guard object(item, p, allowed: allowed) != nil else { continue }
            let category = item["category"].flatMap { string($0, p + ".category") }
            let subCategory = item["sub_category"].flatMap { string($0, p + ".sub_category") }
            var action: NGSIAlertRule.Action?
            if let k = string(item["kind"], p + ".kind") {
                action = NGSIAlertRule.Action(rawValue: k)
                if action == nil { fail(p + ".kind", "expected field_report, security or ignore, got \"\(k)\"") }
            }
            var reportCategory: String?
            if let x = item["report_category"], let c = string(x, p + ".report_category") {
                if action != nil && action != .fieldReport {
                    fail(p + ".report_category", "only for kind field_report")
                } else if !categories.contains(where: { $0.code == c }) {
                    fail(p + ".report_category", "unknown category \"\(c)\"")
                } else {
                    reportCategory = c
                }
            }
            var securityType: String?
            if let x = item["type"], let t = string(x, p + ".type") {
                if action != nil && action != .security { fail(p + ".type", "only for kind security") }
                securityType = t
            }
            var severity: Int?
            if let x = item["severity"], let n = integer(x, p + ".severity", min: 1) {
                if action != nil && action != .security {
                    fail(p + ".severity", "only for kind security")
                } else if n > 5 {
                    fail(p + ".severity", "expected an integer from 1 to 5")
                } else {
                    severity = n
                }
            }
            guard let action else { continue }
            rules.append(
                NGSIAlertRule(
                    category: category == "*" ? nil : category, subCategory: subCategory == "*" ? nil : subCategory,
                    action: action, reportCategory: reportCategory, securityType: securityType, severity: severity))
        }
        result.ngsiAlert = rules
        return result
    }
}
