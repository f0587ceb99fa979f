/// What `ioc top` knows: the newest snapshot, the last hour of final windows, the event rate and the input's
/// health. No I/O and no clock: lines and the wall-clock time they arrived at are passed in, so every screen can be
/// built in a test.
public struct TopModel: Sendable {
    /// One final window of the sparkline.
    public struct WindowPoint: Equatable, Sendable {
        public var end: Int64
        /// `TopSnapshot.windowEvents` of the window.
        public var events: Int
    }

    /// Where the snapshots come from and whether that still works, as shown in the header.
    public enum SourceState: Equatable, Sendable {
        /// Reading, nothing to report.
        case reading
        /// Connected to a publisher.
        case connected
        /// The input ended (stdin closed); the last screen stays until `q`.
        case ended
        /// Not connected (or the connection dropped); `reason` says why; retrying.
        case disconnected(reason: String)
    }

    /// How far back the sparkline reaches (SPEC: the last hour of final snapshots).
    public static let historySpan: Int64 = 3_600_000_000_000
    /// The rate is recomputed once this much wall-clock time has passed since the last reference point, so that a
    /// burst of snapshots read at once (a file replay, a reconnect) does not divide by almost nothing.
    static let rateInterval: Int64 = 250_000_000

    /// A name for the input (`-`, a path, an address).
    public var sourceName: String
    public var sourceState: SourceState = .reading
    /// The newest snapshot, final or provisional.
    public private(set) var latest: TopSnapshot?
    /// Final windows whose end is within `historySpan` of the newest one, oldest first.
    public private(set) var history: [WindowPoint] = []
    /// Snapshot lines taken.
    public private(set) var received = 0
    /// Lines that were not JSON or not `ioc.snapshot/1`.
    public private(set) var skipped = 0
    /// `pipeline.lines` per second of wall clock between snapshots received; nil until two were seen far enough
    /// apart.
    public private(set) var eventsPerSecond: Double?
    private var rateReference: (lines: Int, at: Int64)?

    public init(sourceName: String) {
        self.sourceName = sourceName
    }

    /// Takes one input line (without its newline) that arrived at wall-clock time `now` (nanoseconds). Blank lines
    /// are ignored; anything else that is not a snapshot is counted in `skipped`.
    /// - Returns: whether the line was a snapshot.
    @discardableResult
    public mutating func ingest(line: some Collection<UInt8>, now: Int64) -> Bool {
        if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { return false }
        switch TopSnapshot.parse(line) {
        case .success(let snapshot):
            take(snapshot, now: now)
            return true
        case .failure:
            skipped += 1
            return false
        }
    }

    /// Counts lines that could not even be framed (longer than the reader keeps, cut off by a reconnect).
    public mutating func skip(_ count: Int = 1) { skipped += count }

    /// Takes a parsed snapshot that arrived at `now`.
    public mutating func take(_ snapshot: TopSnapshot, now: Int64) {
        received += 1
        updateRate(snapshot, now: now)
        if snapshot.isFinal, let end = snapshot.windowEndNanoseconds { record(end: end, events: snapshot.windowEvents) }
        latest = snapshot
    }

    private mutating func updateRate(_ snapshot: TopSnapshot, now: Int64) {
        guard let lines = snapshot.lines else { return }
        if let latest, latest.lines == lines, latest.windowEnd == snapshot.windowEnd,
            latest.isFinal == snapshot.isFinal
        {
            return  // the publisher's repeat on reconnect: no time passed for the run
        }
        guard let reference = rateReference, lines >= reference.lines, now >= reference.at else {
            // First snapshot, or a new run that started counting again.
            rateReference = (lines, now)
            eventsPerSecond = nil
            return
        }
        let elapsed = now - reference.at
        guard elapsed >= Self.rateInterval else { return }
        eventsPerSecond = Double(lines - reference.lines) / (Double(elapsed) / 1e9)
        rateReference = (lines, now)
    }

    private mutating func record(end: Int64, events: Int) {
        if let last = history.last {
            if end == last.end {
                // The publisher repeats its latest snapshot on every (re)connect.
                history[history.count - 1].events = events
                return
            }
            if end < last.end { history.removeAll() }  // an earlier window: another run, start over
        }
        history.append(WindowPoint(end: end, events: events))
        let horizon = end.saturatingSubtracting(Self.historySpan)
        if let keep = history.firstIndex(where: { $0.end > horizon }), keep > 0 { history.removeFirst(keep) }
    }
}
