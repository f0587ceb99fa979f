#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What became of one line of a batch, in line order.
public enum BatchOutcome: Sendable {
    /// `events[index]` is ready to apply.
    case event(Int32)
    /// Rejected; `raw` is the line's place in the batch's input bytes.
    case rejected(RejectReason, line: Int32, rawStart: Int32, rawCount: Int32)
    case ignored
}

/// A block of complete input lines travelling through the pipeline, and what the parse stage made of them.
///
/// The reader fills `input` with whole lines (it cuts at the last `\n` and carries the rest over); a parse
/// worker fills `events`, `strings` and `outcomes`; the aggregator applies them in order and hands the batch back
/// to the reader. One object makes the whole trip, so nothing is copied or allocated per line once the pool is
/// warm.
public final class Batch: @unchecked Sendable {
    /// The most bytes a batch may be asked to hold (`--batch-size`) and the longest line it may have to hold
    /// whole (`--max-line`): an event's string references (`ByteRef`) are offsets into its batch below 2^31, the
    /// top bit marking the batch's own string store.
    public static let maxBytes = 1 << 30

    /// Input bytes: whole lines (the last one of a source may lack its `\n`).
    public private(set) var storage: UnsafeMutableRawBufferPointer
    public var count = 0

    /// Index of the source these lines come from (into the aggregator's `sources`).
    public var source: Int32 = 0
    /// Set on the first batch of a source: its display name.
    public var beginsSource: String?
    /// Set on the last batch of a source.
    public var endsSource = false
    /// The batch's last line has no `\n` because its connection closed mid-line: it is rejected `truncated`.
    public var truncatedTail = false
    /// Set on the batch that follows every input (no lines).
    public var isEndOfInput = false
    /// An end marker the aggregator made because the reader was blocked after a stop signal.
    public var isStuckMarker = false
    /// Physical lines of this batch's source dropped (`--when-full drop`) since its previous batch: they still
    /// count for line numbers.
    public var linesBefore = 0
    /// A line just before this batch's first line was longer than `--max-line`; its first bytes.
    public var tooLongBefore: [UInt8]?
    /// Wall clock when the bytes were read, for the `future` check.
    public var readAt: Int64 = 0
    /// Monotonic clock when the bytes were read, for read→applied latency (`ioc bench`).
    public var readMonotonic: Int64 = 0
    /// A batch the reader had to make bigger than the pool's size (for one long line); not recycled.
    public let isOversized: Bool

    // Filled by the parse stage.
    /// The accepted events, in line order (`outcomes` refers to them by index).
    public var events: UnsafeBufferPointer<Event> { UnsafeBufferPointer(start: eventStorage, count: eventCount) }
    /// Raw storage for `events`: the parse stage validates each line straight into the next free slot, so an
    /// event (about 200 bytes) is never copied on its way from the validator to the aggregator.
    private var eventStorage: UnsafeMutablePointer<Event>
    private var eventCapacity: Int
    private var eventCount = 0
    public var strings: [UInt8] = []
    /// What became of each line, in line order.
    public var outcomes: UnsafeBufferPointer<BatchOutcome> {
        UnsafeBufferPointer(start: outcomeStorage, count: outcomeCount)
    }
    /// Raw storage for `outcomes`, like `eventStorage` (an array's append checked its uniqueness every line).
    private var outcomeStorage: UnsafeMutablePointer<BatchOutcome>
    private var outcomeCapacity: Int
    private var outcomeCount = 0
    /// Physical lines (newlines, plus a final unterminated line) in `input`.
    public var lines = 0

    public init(capacity: Int, oversized: Bool = false) {
        // `prefetchSlack` bytes more than `capacity`, never used: the aggregator's prefetch of a line's bytes
        // (up to 128 past its start) then stays inside the allocation.
        let raw = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity + Batch.prefetchSlack, alignment: 64)
        storage = UnsafeMutableRawBufferPointer(rebasing: raw[0..<capacity])
        isOversized = oversized
        // Room for the lines of a typical feed (about 180 bytes each); a batch of shorter lines grows its arrays
        // once and keeps them.
        eventCapacity = Batch.lineSlots(capacity: capacity)
        // Left uninitialized: `Event` is a trivial type, so a slot is simply written by the validator (and its
        // pages are touched only when a batch holds that many events; the pool stays small in RSS).
        eventStorage = .allocate(capacity: eventCapacity)
        outcomeCapacity = Batch.lineSlots(capacity: capacity)
        outcomeStorage = .allocate(capacity: outcomeCapacity)
        strings.reserveCapacity(4096)
    }

    /// Bytes allocated past `capacity` (see `init`).
    static let prefetchSlack = 192

    /// The memory a batch of `capacity` bytes allocates when it is made: its bytes, and the slots for the events
    /// and outcomes of its lines.
    /// - Complexity: O(1).
    public static func bytesAllocated(capacity: Int) -> Int {
        capacity + prefetchSlack
            + lineSlots(capacity: capacity) * (MemoryLayout<Event>.stride + MemoryLayout<BatchOutcome>.stride)
    }

    /// Event and outcome slots a new batch of `capacity` bytes has.
    static func lineSlots(capacity: Int) -> Int { max(capacity / 176, 4) }

    deinit {
        storage.deallocate()
        eventStorage.deallocate()  // `Event` is a trivial type: nothing to deinitialize
        outcomeStorage.deallocate()  // so is `BatchOutcome`
    }

    /// Where `events` starts (valid for reading `events.count` events).
    var firstEvent: UnsafePointer<Event> { UnsafePointer(eventStorage) }

    /// The slot the next accepted event is validated into; `commitEvent()` keeps it.
    ///
    /// - Complexity: O(1) amortised; allocates only when the slots double.
    @inline(__always)
    func nextEventSlot() -> UnsafeMutablePointer<Event> {
        if eventCount == eventCapacity { growEvents() }
        return eventStorage + eventCount
    }

    /// Keeps the event in `nextEventSlot()`; returns its index in `events`.
    @inline(__always)
    func commitEvent() -> Int32 {
        eventCount += 1
        return Int32(eventCount - 1)
    }

    /// Appends what became of the next line.
    ///
    /// - Complexity: O(1) amortised; allocates only when the storage doubles.
    @inline(__always)
    func appendOutcome(_ outcome: BatchOutcome) {
        if outcomeCount == outcomeCapacity {
            outcomeStorage = outcomeStorage.doubled(count: outcomeCount, capacity: outcomeCapacity)
            outcomeCapacity *= 2
        }
        (outcomeStorage + outcomeCount).initialize(to: outcome)
        outcomeCount += 1
    }

    private func growEvents() {
        eventStorage = eventStorage.doubled(count: eventCount, capacity: eventCapacity)
        eventCapacity *= 2
    }

    /// An empty batch marking the end of the input.
    public static func endMarker() -> Batch {
        let marker = Batch(capacity: 1, oversized: true)
        marker.isEndOfInput = true
        return marker
    }

    public var capacity: Int { storage.count }

    /// The input bytes.
    public var input: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: storage[0..<count]) }

    /// Clears everything for reuse, keeping capacity.
    public func reset() {
        count = 0
        beginsSource = nil
        endsSource = false
        truncatedTail = false
        isEndOfInput = false
        linesBefore = 0
        tooLongBefore = nil
        eventCount = 0
        strings.removeAll(keepingCapacity: true)
        outcomeCount = 0
        lines = 0
    }
}

/// The parse stage: frames a batch's lines, validates and classifies each one. Stateless between batches, so
/// several workers can run it on different batches at once.
public struct BatchParser: Sendable {
    public var validator: EventValidator
    public var classifier: EventClassifier
    public let maxLine: Int

    /// - Parameter format: the input format (`--format`, SPEC §8).
    public init(rules: Rules, maxLine: Int, maxFuture: Int64, format: FeedFormat = .auto) {
        validator = EventValidator(maxFuture: maxFuture, format: format, adapterRules: rules.adapters)
        classifier = EventClassifier(rules: rules)
        self.maxLine = maxLine
    }

    /// Fills `batch.events`, `strings`, `outcomes` and `lines` from `batch.input`.
    ///
    /// - Complexity: O(bytes); no allocation once the batch's arrays have grown.
    public mutating func parse(_ batch: Batch) {
        let input = batch.input
        guard let base = input.baseAddress else { return }
        var start = 0
        var line: Int32 = 0
        let n = input.count
        validator.prepareForLines()
        while start < n {
            // Most lines are well-formed objects: their scan finds where they end, and no separate search for the
            // line feed is needed. Anything else (a line the scan cannot take to a line feed, or too long) goes the
            // general way below, which cuts the line first and gives the same outcome as ever.
            let event = batch.nextEventSlot()
            if let (outcome, length) = parseLine(
                startingAt: start, in: input, now: batch.readAt, into: &event.pointee, strings: &batch.strings),
                length <= maxLine
            {
                line += 1
                record(outcome, of: event, line: line, start: start, length: length, in: batch)
                // Past the line feed (and the carriage return `length` leaves out).
                start += length + (input[start + length] == 0x0D ? 2 : 1)
                continue
            }
            var end: Int
            if let nl = memchr(base + start, 0x0A, n - start) {
                end = UnsafeRawPointer(nl) - base
            } else {
                end = n
            }
            let next = end + 1
            line += 1
            if end > start && input[end - 1] == 0x0D { end -= 1 }
            let length = end - start
            if length > 0 && !isBlank(input, start, end) {
                let raw = UnsafeRawBufferPointer(rebasing: input[start..<end])
                if next > n && batch.truncatedTail {
                    // A connection closed in the middle of this line: what arrived is not the whole event.
                    let cut = min(length, DeadLetter.rawLimit)
                    batch.appendOutcome(
                        .rejected(.truncated, line: line, rawStart: Int32(start), rawCount: Int32(cut)))
                } else if length > maxLine {
                    let cut = min(length, LineFramer.prefixLimit)
                    batch.appendOutcome(
                        .rejected(.lineTooLong, line: line, rawStart: Int32(start), rawCount: Int32(cut)))
                } else {
                    let event = batch.nextEventSlot()
                    let outcome = parseLine(
                        raw, base: start, in: input, now: batch.readAt, into: &event.pointee, strings: &batch.strings)
                    record(outcome, of: event, line: line, start: start, length: length, in: batch)
                }
            }
            start = next
        }
        batch.lines = Int(line)
    }

    /// Appends what became of line `line` (`length` bytes from `start`) to the batch's outcomes, committing the
    /// event of an accepted one.
    @inline(__always)
    private func record(
        _ outcome: LineOutcome, of event: UnsafeMutablePointer<Event>, line: Int32, start: Int, length: Int,
        in batch: Batch
    ) {
        switch outcome {
        case .accepted:
            event.pointee.lineNumber = Int(line)
            event.pointee.source = batch.source
            batch.appendOutcome(.event(batch.commitEvent()))
        case .rejected(let reason):
            batch.appendOutcome(.rejected(reason, line: line, rawStart: Int32(start), rawCount: Int32(length)))
        case .ignored:
            batch.appendOutcome(.ignored)
        }
    }

    /// Validates and classifies one line (no terminator) that starts at `base` in `input`, filling `event` when it
    /// is accepted: the per-line work shared by the batch path and `LineProcessor`.
    ///
    /// - Complexity: O(line length); does not allocate after warm-up.
    @inline(__always)
    public mutating func parseLine(
        _ raw: UnsafeRawBufferPointer, base: Int, in input: UnsafeRawBufferPointer, now: Int64,
        into event: inout Event, strings: inout [UInt8]
    ) -> LineOutcome {
        let outcome = validator.validate(raw, base: base, now: now, into: &event, strings: &strings)
        if outcome == .accepted {
            classifyAndHash(&event, input: input, strings: &strings)
        }
        return outcome
    }

    /// `parseLine` for the line starting at `start` in `input`, its end found by the scan
    /// (`EventValidator.validateLine`): the outcome and the line's length without its terminator, or nil when the
    /// caller must cut the line and call `parseLine`. An accepted event is classified only when the line is not
    /// longer than `maxLine` (the caller rejects longer ones). The validator must have been prepared
    /// (`prepareForLines`) since this parser was last copied.
    ///
    /// - Complexity: O(line length); does not allocate after warm-up.
    @inline(__always)
    mutating func parseLine(
        startingAt start: Int, in input: UnsafeRawBufferPointer, now: Int64, into event: inout Event,
        strings: inout [UInt8]
    ) -> (outcome: LineOutcome, length: Int)? {
        let rest = UnsafeRawBufferPointer(rebasing: input[start...])
        guard
            let (outcome, length) = validator.validateLine(
                rest, base: start, now: now, into: &event, strings: &strings)
        else { return nil }
        if outcome == .accepted && length <= maxLine {
            classifyAndHash(&event, input: input, strings: &strings)
        }
        return (outcome, length)
    }

    /// What an accepted event gets after validation: its report category, and the hashes of the keys the aggregator
    /// interns.
    @_transparent
    private mutating func classifyAndHash(
        _ event: inout Event, input: UnsafeRawBufferPointer, strings: inout [UInt8]
    ) {
        strings.withUnsafeBytes {
            let bytes = EventBytes(input: input, strings: $0)
            classifier.classify(&event, bytes)
            event.hashKeys(bytes)
        }
    }

    /// New rules (SIGHUP): classification and the adapters' mapping use them from the next line on.
    public mutating func reload(_ rules: Rules) {
        classifier = EventClassifier(rules: rules)
        validator.adapterRules = rules.adapters
    }

    @inline(__always)
    private func isBlank(_ input: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> Bool {
        let first = input[start]
        guard first == 0x20 || first == 0x09 else { return false }
        for i in start..<end where input[i] != 0x20 && input[i] != 0x09 { return false }
        return true
    }
}

extension WindowAggregator {
    /// Applies a parsed batch in line order. `lineBase` is the number of physical lines of the same source before
    /// this batch; it is advanced past the batch.
    ///
    /// - Complexity: O(lines in the batch), plus the windows they close.
    public func apply(_ batch: Batch, lineBase: inout Int) {
        lineBase += batch.linesBefore
        if let prefix = batch.tooLongBefore {
            lineBase += 1
            prefix.withUnsafeBytes { reject(.lineTooLong, source: batch.source, line: lineBase, raw: $0) }
        }
        let input = batch.input
        batch.strings.withUnsafeBytes { store in
            let bytes = EventBytes(input: input, strings: store)
            let events = batch.firstEvent
            let eventCount = batch.events.count
            let outcomes = batch.outcomes
            for (index, outcome) in outcomes.enumerated() {
                // What the parse worker wrote sits in another core's cache or in memory, and the aggregator
                // waited for it line after line: asking for the outcome, the event and its line some places
                // ahead hides most of the wait (−19 % wall time on the 302 MB feed, 20 interleaved runs).
                IOCCore.prefetch(
                    outcomes.baseAddress!, byteOffset: (index &+ 16) &* MemoryLayout<BatchOutcome>.stride)
                if case .event(let i) = outcome {
                    let ahead = Int(i) &+ 6
                    if ahead < eventCount { prefetch(events + ahead, line: input.baseAddress!) }
                    // The event that will be looked into next time is fetched before that.
                    let further = (ahead &+ 6) &* MemoryLayout<Event>.stride
                    IOCCore.prefetch(events, byteOffset: further)
                    IOCCore.prefetch(events, byteOffset: further &+ 64)
                    IOCCore.prefetch(events, byteOffset: further &+ 128)
                    apply(events + Int(i), bytes, lineBase: lineBase)
                } else {
                    applyNonEvent(outcome, batch: batch, lineBase: lineBase)
                }
            }
        }
        lineBase += batch.lines
    }

    /// Asks the CPU for what applying `e` will read first: its line's bytes (district and ids are compared there)
    /// and the interner slot its key's lookup starts at (the tables of reports and dossiers outgrow the caches).
    @inline(__always)
    private func prefetch(_ e: UnsafePointer<Event>, line: UnsafeRawPointer) {
        // Within the batch's allocation: it has `Batch.prefetchSlack` bytes past its capacity.
        let start = line + Int(e.pointee.lineStart)
        IOCCore.prefetch(start)
        IOCCore.prefetch(start + 64)
        IOCCore.prefetch(start + 128)
        let slot: UnsafeRawPointer?
        switch e.pointee.kind {
        case .fieldReport: slot = reportIds.slotAddress(tag: e.pointee.keyHash)
        case .service: slot = dossierIds.slotAddress(tag: e.pointee.keyHash)
        case .traffic: slot = trafficSensors.names.slotAddress(tag: e.pointee.keyHash)
        case .security: slot = securitySensors.names.slotAddress(tag: e.pointee.keyHash)
        case .metric: slot = nil
        }
        if let slot { IOCCore.prefetch(slot) }
    }

    /// Counts a rejected or ignored line of a batch.
    private func applyNonEvent(_ outcome: BatchOutcome, batch: Batch, lineBase: Int) {
        switch outcome {
        case .event: break
        case .rejected(let reason, let line, let rawStart, let rawCount):
            let raw = UnsafeRawBufferPointer(rebasing: batch.input[Int(rawStart)..<Int(rawStart + rawCount)])
            reject(reason, source: batch.source, line: lineBase + Int(line), raw: raw)
        case .ignored:
            ignore()
        }
    }
}
