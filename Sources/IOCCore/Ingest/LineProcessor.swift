/// The whole per-line path in one place: frame → validate → classify → aggregate, for callers that feed bytes
/// on one thread (tests, and the runtime's sequential stage).
public final class LineProcessor {
    /// The per-line validate-and-classify step, the same one the threaded runtime's parse workers use.
    public var parser: BatchParser
    public let aggregator: WindowAggregator
    private var framer: LineFramer
    private var strings: [UInt8] = []
    private var event = Event()
    /// Index of the source being read (for dead-letter records).
    public private(set) var source: Int32 = 0
    /// Wall clock for the `future` check, nanoseconds; the caller refreshes it per chunk.
    public var now: Int64

    public init(
        aggregator: WindowAggregator, maxLine: Int = 1 << 20, maxFuture: Int64 = 300_000_000_000, now: Int64,
        format: FeedFormat = .auto
    ) {
        self.aggregator = aggregator
        parser = BatchParser(rules: aggregator.rules, maxLine: maxLine, maxFuture: maxFuture, format: format)
        framer = LineFramer(maxLine: maxLine)
        self.now = now
        strings.reserveCapacity(1024)
    }

    /// Replaces the rules (SIGHUP): classification and aggregation use them from the next line on.
    public func reload(_ rules: Rules) {
        aggregator.rules = rules
        parser.reload(rules)
    }

    /// Starts reading a new input named `name`.
    public func beginSource(_ name: String) {
        aggregator.sources.append(name)
        source = Int32(aggregator.sources.count - 1)
        framer.reset()
    }

    /// Frames and processes a chunk of the current source.
    ///
    /// - Complexity: O(chunk length); no allocation per line after warm-up.
    public func feed(_ chunk: UnsafeRawBufferPointer) {
        framer.feed(chunk) { handle($0) }
    }

    /// Ends the current source (a last line without `\n` counts). `truncated` marks a connection that closed
    /// mid-line: its partial last line is rejected as `truncated` instead of parsed.
    public func endSource(truncated: Bool = false) {
        if truncated {
            framer.finish { framed in
                if case .line(let raw, let number) = framed {
                    aggregator.reject(.truncated, source: source, line: number, raw: raw)
                } else {
                    handle(framed)
                }
            }
        } else {
            framer.finish { handle($0) }
        }
    }

    @inline(__always)
    private func handle(_ framed: FramedLine) {
        switch framed {
        case .line(let raw, let number): process(line: raw, number: number)
        case .tooLong(let prefix, let number):
            aggregator.reject(.lineTooLong, source: source, line: number, raw: prefix)
        }
    }

    /// Validates, classifies and applies one line (no terminator).
    public func process(line: UnsafeRawBufferPointer, number: Int) {
        strings.removeAll(keepingCapacity: true)
        switch parser.parseLine(line, base: 0, in: line, now: now, into: &event, strings: &strings) {
        case .accepted:
            event.lineNumber = number
            event.source = source
            strings.withUnsafeBytes { aggregator.apply(event, EventBytes(input: line, strings: $0)) }
        case .rejected(let reason):
            aggregator.reject(reason, source: source, line: number, raw: line)
        case .ignored:
            aggregator.ignore()
        }
    }

    /// Closes every open window (end of all input).
    public func finish() { aggregator.finish() }
}
