/// How an NGSI `Alert` entity becomes an event (SPEC §8): the first rule whose `category` and `subCategory`
/// match decides.
public struct NGSIAlertRule: Equatable, Sendable {
    /// What a matching alert becomes.
    public enum Action: String, CaseIterable, Sendable {
        /// A field report `new`, classified by `reportCategory` or else by the alert's `description`.
        case fieldReport = "field_report"
        /// A security event of type `securityType`, or else of the alert's `subCategory` (else `category`).
        case security
        /// Counted as `ignored`.
        case ignore
    }

    /// The alert `category` this rule matches; nil matches any.
    public var category: String?
    /// The alert `subCategory` this rule matches; nil matches any (also an alert without one).
    public var subCategory: String?
    public var action: Action
    /// For `field_report`: a category code of the rules; nil classifies the description text.
    public var reportCategory: String?
    /// For `security`: the event type; nil takes the alert's `subCategory`, else its `category`.
    public var securityType: String?
    /// For `security`: a severity 1…5 replacing the alert's own.
    public var severity: Int?

    public init(
        category: String? = nil, subCategory: String? = nil, action: Action, reportCategory: String? = nil,
        securityType: String? = nil, severity: Int? = nil
    ) {
        self.category = category
        self.subCategory = subCategory
        self.action = action
        self.reportCategory = reportCategory
        self.securityType = securityType
        self.severity = severity
    }
}

/// The configurable part of the input adapters (`"adapters"` in a rules file).
public struct AdapterRules: Equatable, Sendable {
    /// NGSI `Alert` mapping, first match wins; an alert no rule matches is `ignored`.
    public var ngsiAlert: [NGSIAlertRule]

    public init(ngsiAlert: [NGSIAlertRule]) {
        self.ngsiAlert = ngsiAlert
    }

    /// Covers the `category` values of FIWARE dataModel.Alert (traffic, naturalDisaster, weather, environment,
    /// health, security, agriculture) with the types and categories SPEC §3 routes.
    public static let `default` = AdapterRules(ngsiAlert: [
        NGSIAlertRule(category: "traffic", subCategory: "pothole", action: .fieldReport, reportCategory: "roads"),
        NGSIAlertRule(category: "traffic", action: .fieldReport, reportCategory: "traffic"),
        NGSIAlertRule(subCategory: "buildingFire", action: .security, securityType: "fire"),
        NGSIAlertRule(subCategory: "forestFire", action: .security, securityType: "fire"),
        NGSIAlertRule(category: "security", subCategory: "assault", action: .security, securityType: "fight"),
        NGSIAlertRule(category: "security", subCategory: "civilDisorder", action: .security, securityType: "crowd"),
        NGSIAlertRule(
            category: "security", subCategory: "suspiciousAction", action: .security, securityType: "loitering"),
        NGSIAlertRule(category: "security", action: .security),
        NGSIAlertRule(subCategory: "flood", action: .fieldReport, reportCategory: "flooding"),
        NGSIAlertRule(subCategory: "floodRisk", action: .fieldReport, reportCategory: "flooding"),
        NGSIAlertRule(category: "environment", action: .fieldReport, reportCategory: "sanitation"),
        NGSIAlertRule(category: "agriculture", action: .ignore),
        NGSIAlertRule(action: .fieldReport),
    ])
}
