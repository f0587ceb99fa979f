import Foundation
import IOCCore
import IOCTestSupport
import Testing

/// One line through an `EventValidator`, with what it made of it.
struct Adapted {
    let outcome: LineOutcome
    let event: Event
    let line: [UInt8]
    let strings: [UInt8]

    /// The text of an event string, or nil when absent.
    func text(_ ref: ByteRef) -> String? {
        if ref.isAbsent { return nil }
        let store = ref.isStored ? strings : line
        return String(decoding: store[ref.offset..<(ref.offset + Int(ref.count))], as: UTF8.self)
    }

    var reason: String? {
        if case .rejected(let r) = outcome { return r.description }
        return nil
    }

    var key: String? { text(event.key) }
    var subject: String? { text(event.subject) }
    var district: String? { text(event.district) }
    var time: String { Timestamp.string(event.ts) }
}

enum AdapterTest {
    /// A wall clock far ahead of every sample, so nothing is `future`.
    static let farFuture: Int64 = 4_000_000_000_000_000_000

    static func validate(_ line: String, format: FeedFormat = .auto, rules: Rules = .default) -> Adapted {
        var validator = EventValidator(format: format, adapterRules: rules.adapters)
        var event = Event()
        var strings: [UInt8] = []
        var bytes = Array(line.utf8)
        let outcome = bytes.withUnsafeMutableBytes {
            validator.validate(UnsafeRawBufferPointer($0), base: 0, now: farFuture, into: &event, strings: &strings)
        }
        return Adapted(outcome: outcome, event: event, line: bytes, strings: strings)
    }

    /// A pretty-printed JSON document as one compact line.
    static func compact(_ url: URL) throws -> String {
        let value = try JSONValue.parse(Array(try Data(contentsOf: url)))
        return value.serialized()
    }

    /// `../shared/realdata/<sub>`, or nil after recording an issue when it is absent (never a silent pass).
    static func realdata(_ sub: String) -> URL? {
        let url = TestPaths.realdata.appendingPathComponent(sub)
        guard FileManager.default.fileExists(atPath: url.path) else {
            Issue.record("real data folder \(url.path) is absent: the adapter tests against real feeds did not run")
            return nil
        }
        return url
    }

    /// A harness whose windows are long enough that a whole sample falls into few windows and nothing is late.
    static func wideHarness(format: FeedFormat = .auto) -> CoreHarness {
        let day: Int64 = 86_400_000_000_000
        let harness = CoreHarness(window: 100 * day, lateness: 20 * 365 * day)
        harness.processor.parser.validator.format = format
        return harness
    }

    /// Feeds raw bytes (as read from a file) and ends the input.
    static func feed(_ harness: CoreHarness, bytes: [UInt8]) {
        bytes.withUnsafeBytes { harness.processor.feed($0) }
        harness.processor.endSource()
        harness.processor.finish()
    }

    /// Sums a numeric member over every final snapshot.
    static func sum(_ harness: CoreHarness, _ path: String) -> Int {
        harness.output.snapshotValues.reduce(0) { $0 + ($1.at(path)?.int ?? 0) }
    }
}
