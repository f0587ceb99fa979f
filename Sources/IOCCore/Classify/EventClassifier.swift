/// Gives each field-report `new` its category (SPEC §3): a `category` member naming a known category wins,
/// otherwise the text's phrases decide, otherwise the fallback (`other`).
///
/// An unknown `category` code is not an error: the text is classified instead (and a report with neither a known
/// code nor a matching text is `other`).
public struct EventClassifier: Sendable {
    public let rules: Rules
    private var phrases: PhraseClassifier
    private let codes: [[UInt8]]

    public init(rules: Rules) {
        self.rules = rules
        phrases = PhraseClassifier(categories: rules.categories.map { (code: $0.code, phrases: $0.phrases) })
        codes = rules.allCategories.map { Array($0.code.utf8) }
    }

    /// Sets `event.categoryIndex` for a field-report `new`; other events are left alone.
    ///
    /// - Complexity: O(text length × phrases); does not allocate after warm-up.
    @inline(__always)
    public mutating func classify(_ event: inout Event, _ bytes: EventBytes) {
        guard event.kind == .fieldReport, event.reportStatus == .new else { return }
        if !event.category.isAbsent {
            let given = bytes[event.category]
            for (i, code) in codes.enumerated() where code.count == given.count {
                if code.withUnsafeBytes({ $0.elementsEqual(given) }) {
                    event.categoryIndex = Int32(i)
                    return
                }
            }
        }
        if !event.text.isAbsent, let i = phrases.classify(bytes[event.text]) {
            event.categoryIndex = Int32(i)
        } else {
            event.categoryIndex = Int32(rules.categories.count)
        }
    }
}
