import IOCCore

extension JSONValue {
    /// The value at a dotted path (`"traffic.levels.jam"`; `"slowest.0.segment"` indexes arrays).
    public func at(_ path: String) -> JSONValue? {
        var v: JSONValue? = self
        for part in path.split(separator: ".", omittingEmptySubsequences: false) {
            guard let current = v else { return nil }
            if case .array(let items) = current, let i = Int(part) {
                v = i < items.count ? items[i] : nil
            } else {
                v = current[String(part)]
            }
        }
        return v
    }

    /// A number as `Double`, or nil.
    public var number: Double? {
        if case .number(let n) = self { return n }
        return nil
    }

    /// An integral number as `Int`, or nil.
    public var int: Int? { number.map { Int($0) } }

    /// A string, or nil.
    public var string: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// Whether this is `null`.
    public var isNull: Bool { self == .null }

    public var bool: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    /// Member names of an object, in order.
    public var keys: [String] {
        if case .object(let members) = self { return members.map(\.key) }
        return []
    }

    /// Elements of an array.
    public var items: [JSONValue] {
        if case .array(let a) = self { return a }
        return []
    }
}
