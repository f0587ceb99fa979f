import IOCCore

/// An `AggregatorOutput` that keeps everything in memory, for tests (swift-metrics' `TestMetrics` idea).
public final class RecordingOutput: AggregatorOutput, @unchecked Sendable {
    public private(set) var snapshots: [String] = []
    public private(set) var provisional: [String] = []
    public private(set) var alerts: [String] = []
    public private(set) var deadLetters: [String] = []
    public private(set) var dispatched: [(route: String, line: String)] = []
    public private(set) var summaries: [String] = []
    public var wantsDispatch: Bool
    public var wantsDeadLetters: Bool

    public init(dispatch: Bool = true, deadLetters: Bool = true) {
        wantsDispatch = dispatch
        wantsDeadLetters = deadLetters
    }

    public func snapshot(_ json: UnsafeRawBufferPointer, final: Bool) {
        let s = String(decoding: json, as: UTF8.self)
        if final { snapshots.append(s) } else { provisional.append(s) }
    }

    public func alert(_ json: UnsafeRawBufferPointer) { alerts.append(String(decoding: json, as: UTF8.self)) }

    public func deadLetter(_ json: UnsafeRawBufferPointer) {
        deadLetters.append(String(decoding: json, as: UTF8.self))
    }

    public func dispatch(route: String, line: UnsafeRawBufferPointer) {
        dispatched.append((route, String(decoding: line, as: UTF8.self)))
    }

    public func summary(_ line: String) { summaries.append(line) }

    /// Final snapshots parsed as JSON trees.
    public var snapshotValues: [JSONValue] {
        snapshots.map { try! JSONValue.parse(Array($0.utf8)) }
    }
}

/// Runs lines through a fresh processor and returns what came out: the quickest way to test the whole core.
public struct CoreHarness {
    public let output: RecordingOutput
    public let processor: LineProcessor

    /// - Parameter now: the wall clock for the `future` check (default: far in the future, so nothing is `future`).
    public init(
        rules: Rules = .default, window: Int64 = 60_000_000_000, lateness: Int64 = 30_000_000_000,
        maxKeys: Int = 1_000_000, maxLine: Int = 1 << 20, now: Int64 = 4_000_000_000_000_000_000
    ) {
        output = RecordingOutput()
        var config = AggregatorConfig()
        config.window = window
        config.lateness = lateness
        config.maxKeys = maxKeys
        let aggregator = WindowAggregator(rules: rules, config: config, output: output)
        processor = LineProcessor(aggregator: aggregator, maxLine: maxLine, now: now)
        processor.beginSource("test")
    }

    /// Feeds `text` (several lines) and optionally ends the input (closing every window).
    public func feed(_ text: String, finish: Bool = true) {
        var bytes = Array(text.utf8)
        bytes.withUnsafeMutableBytes { processor.feed(UnsafeRawBufferPointer($0)) }
        if finish {
            processor.endSource()
            processor.finish()
        }
    }

    public var counts: PipelineCounts { processor.aggregator.counts }
}
