import IOCCore

/// An `AggregatorOutput` that only counts what it is given, so a benchmark measures the aggregator and not a sink.
///
/// Routed lines and dead letters are not wanted (the defaults of `ioc run` without `--dispatch` and
/// `--dead-letter`), so the aggregator does not build them.
final class DiscardingOutput: AggregatorOutput {
    private(set) var snapshots = 0
    private(set) var bytes = 0

    var wantsDispatch: Bool { false }
    var wantsDeadLetters: Bool { false }
    var wantsSummaries: Bool { false }

    func snapshot(_ json: UnsafeRawBufferPointer, final: Bool) {
        snapshots += 1
        bytes += json.count
    }

    func alert(_ json: UnsafeRawBufferPointer) { bytes += json.count }
    func deadLetter(_ json: UnsafeRawBufferPointer) { bytes += json.count }
    func dispatch(route: String, line: UnsafeRawBufferPointer) { bytes += line.count }
    func summary(_ line: String) { bytes += line.utf8.count }
}
