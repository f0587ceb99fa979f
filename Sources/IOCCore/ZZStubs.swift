// TEMPORARY compile stubs; replaced by the real parser files.
public enum Timestamp {
    public static func parse(_ bytes: UnsafeRawBufferPointer, allowCompactOffset: Bool = false) -> Int64? { fatalError() }
    public static func format(_ ns: Int64, into out: inout [UInt8]) { fatalError() }
    public static func string(_ ns: Int64) -> String { fatalError() }
}
public struct PhraseClassifier: Sendable {
    public init(categories: [(code: String, phrases: [String])]) {}
    public mutating func classify(_ text: UnsafeRawBufferPointer) -> Int? { fatalError() }
}
public enum DurationText {
    public static func parse(_ text: String) -> Int64? { fatalError() }
    public static func format(_ ns: Int64) -> String { fatalError() }
}
