/// Where an event's `ByteRef`s point: the input bytes (lines in place) and the unescaped-string store.
public struct EventBytes {
    public var input: UnsafeRawBufferPointer
    public var strings: UnsafeRawBufferPointer

    public init(input: UnsafeRawBufferPointer, strings: UnsafeRawBufferPointer) {
        self.input = input
        self.strings = strings
    }

    /// The bytes of `ref` (empty when absent).
    ///
    /// - Complexity: O(1); does not allocate.
    @inline(__always)
    public subscript(ref: ByteRef) -> UnsafeRawBufferPointer {
        if ref.isAbsent { return UnsafeRawBufferPointer(start: nil, count: 0) }
        let store = ref.isStored ? strings : input
        return UnsafeRawBufferPointer(rebasing: store[ref.offset..<(ref.offset + Int(ref.count))])
    }

    /// The original object text of `event`.
    @inline(__always)
    public func line(of event: Event) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: input[Int(event.lineStart)..<Int(event.lineStart + event.lineCount)])
    }
}

/// What the aggregator hands to the outside world. Core has no I/O: the runtime's sinks implement this.
public protocol AggregatorOutput: AnyObject {
    /// One snapshot line (no newline).
    func snapshot(_ json: UnsafeRawBufferPointer, final: Bool)
    /// One `--alerts` line (no newline).
    func alert(_ json: UnsafeRawBufferPointer)
    /// One `--dead-letter` line (no newline).
    func deadLetter(_ json: UnsafeRawBufferPointer)
    /// One routed line for `--dispatch` (no newline), with the route it goes to.
    func dispatch(route: String, line: UnsafeRawBufferPointer)
    /// A human summary of a closed window, for `--summary`.
    func summary(_ line: String)
    /// Whether routed lines are wanted at all (building them costs time).
    var wantsDispatch: Bool { get }
    /// Whether dead-letter lines are wanted at all.
    var wantsDeadLetters: Bool { get }
    /// Whether `summary` lines are wanted at all (making them costs time).
    var wantsSummaries: Bool { get }
}

extension AggregatorOutput {
    public var wantsSummaries: Bool { true }
}

/// Run-time figures of a live run for the snapshot's `pipeline` section (`ring_fill`, `watermark_lag_ms`,
/// `subscribers`, `subscribers_dropped`). Core has no clock: the runtime passes the wall clock in.
public struct LiveFigures: Sendable {
    /// Fraction of the parse stage's ring slots holding a batch, 0…1.
    public var ringFill: Double
    /// The wall clock, nanoseconds since the Unix epoch.
    public var wallClock: Int64
    /// Connected `--publish` subscribers, and those disconnected for falling behind (nil without `--publish`).
    public var subscribers: (connected: Int, dropped: Int)?

    public init(ringFill: Double, wallClock: Int64, subscribers: (connected: Int, dropped: Int)? = nil) {
        self.ringFill = ringFill
        self.wallClock = wallClock
        self.subscribers = subscribers
    }
}

/// Settings of the aggregation stage.
public struct AggregatorConfig: Sendable {
    /// Window length, nanoseconds (`--window`).
    public var window: Int64 = 60_000_000_000
    /// Allowed lateness, nanoseconds (`--lateness`).
    public var lateness: Int64 = 30_000_000_000
    /// Most tracked keys over all tables (`--max-keys`).
    public var maxKeys = 1_000_000
    /// Most alerts listed in a snapshot's `active`.
    public var activeListLimit = 50

    public init() {}
}

/// Pipeline totals of SPEC §5 `pipeline`, plus rejections by reason.
public struct PipelineCounts: Sendable, Equatable {
    public var lines = 0
    public var accepted = 0
    public var rejected = 0
    public var late = 0
    public var duplicates = 0
    public var ignored = 0
    public var dropped = 0
    /// Rejections per `RejectReason.code`.
    public var byReason = [Int](repeating: 0, count: RejectReason.codeCount)

    public init() {}

    /// Non-zero rejection counts by reason text, sorted by reason.
    public var rejectedByReason: [(String, Int)] {
        byReason.enumerated().compactMap { code, n in
            n > 0 ? (RejectReason.byCode[code]!.description, n) : nil
        }.sorted { $0.0 < $1.0 }
    }
}

/// The ordered, stateful stage: applies validated events in input order, keeps windows and state, closes
/// windows as the watermark passes them and writes their snapshots (SPEC §4, §5, §6).
///
/// Everything here runs on one thread; determinism follows from applying events and closing windows in the
/// same order whatever produced them.
public final class WindowAggregator {
    public var rules: Rules { didSet { rulesChanged() } }
    public let config: AggregatorConfig
    public let output: AggregatorOutput

    public private(set) var counts = PipelineCounts()
    /// Source names for dead-letter records, by source index.
    public var sources: [String] = ["-"]
    /// Live runs (`--listen`, `--follow`, `--publish`, `--every`) add run-time figures to every snapshot's
    /// `pipeline` section; replays of files leave them out, so their snapshots stay byte-identical run to run.
    public var liveFigures: (() -> LiveFigures)?

    // Time.
    /// Greatest accepted `ts` minus lateness; nil before the first event.
    public private(set) var watermark: Int64?
    /// Lowest window not yet closed (nil before the first event).
    private var nextClose: Int64?
    /// Window of the greatest accepted `ts`.
    private var maxWindow: Int64 = .min
    private var windows: [Int64: WindowBox] = [:]
    /// The window the last event went to (most events go to the same one): saves a dictionary lookup.
    private var cachedWindowIndex: Int64 = .min
    /// The data of window `cachedWindowIndex`: its box lives in `windows` until `closeWindow` removes it, which
    /// clears this first.
    private var cachedWindowData: UnsafeMutablePointer<WindowData>?
    /// Closed windows kept for the rolling sections.
    private var span15 = RollingSpan(span: 900_000_000_000)
    private var span60 = RollingSpan(span: 3_600_000_000_000)

    // Interned keys.
    var districts = Interner()
    var reportIds = Interner()
    var segments = Interner()
    var securityTypes = Interner()
    var routes = Interner()
    var agencies = Interner()
    var dossierIds = Interner()
    var metricNames = Interner()
    var trafficSensors = SensorTable()
    var securitySensors = SensorTable()
    let unknownDistrict: Int32
    let unknownAgency: Int32

    // State.
    var reports = RawColumn<ReportState>()
    var dossiers = RawColumn<DossierState>()
    var reportsOpen = 0
    var reportsOverdue = 0
    var reportsReceivedTotal = 0
    var reportsResolvedTotal = 0
    var servicesInProgress = 0
    var agencyInProgress: [Int] = []
    /// Dossiers marked overdue at the last close, in total and per agency.
    var servicesOverdue = 0
    var agencyOverdue: [Int] = []
    private var reportDue = DueHeap()
    private var dossierDue = DueHeap()
    private var jamStreak = RawColumn<Int32>()
    private var jamActive = RawColumn<Bool>()
    private var hotspotActive: [Bool] = []
    private var metricAlertActive: [Bool] = []
    /// Priority of each severity 0…5 below the P1 threshold (from the rules, as an array).
    private lazy var severityPriority: [Priority] = (0...5).map { rules.securitySeverityPriority[$0] ?? .p4 }
    /// Per security type: P1 whatever the severity, and its route id.
    private var typeInfo: [(p1: Bool, route: Int32)] = []
    /// Per metric name: indices of the thresholds that apply.
    private var metricThresholds: [[Int]] = []

    var alerts: AlertBook
    /// Accepted events per district and kind since start (for `--totals`), at `district * kindCount + kind`: one
    /// flat table, so counting an event is one array update (nested arrays cost a uniqueness check each, and their
    /// updates were not always inlined).
    private var acceptedByDistrictKind = DenseCounts()
    private static let kindCount = EventKind.allCases.count
    private var writer = JSONWriter()

    public init(rules: Rules = .default, config: AggregatorConfig = AggregatorConfig(), output: AggregatorOutput) {
        self.rules = rules
        self.config = config
        self.output = output
        alerts = AlertBook(listLimit: config.activeListLimit)
        // Built in, not counted against `--max-keys`: `--max-keys 1` takes one key from the feed.
        unknownDistrict = districts.intern("unknown")
        unknownAgency = agencies.intern("unknown")
        // Room up front for the tables that grow with the tracked report and dossier ids, up to `--max-keys`
        // (at most 2^20 each): address space only until an id uses it, and no doubled copy of a table, nor the
        // fresh pages it touches, on the way (a quarter to a third of a large feed's page faults).
        let room = min(config.maxKeys, 1 << 20)
        reports.reserve(room)
        dossiers.reserve(room)
        reportDue.reserve(room)
        dossierDue.reserve(room)
        // Key bytes for ids of about the usual lengths (`PA-2026-000001`, `000.00.30.H26-261101-000001`); longer
        // ones only grow the arena sooner.
        reportIds.reserve(keys: room, bytes: room * 16)
        dossierIds.reserve(keys: room, bytes: room * 32)
    }

    /// Keys tracked over all tables (for `--max-keys`): districts, report ids, segments, security types,
    /// agencies, dossiers, metric names and sensors, the built-in `unknown` district and agency left out.
    public private(set) var trackedKeys = 0

    /// The most keys one event adds: its district, its key (id, sensor, dossier, metric name) and its subject
    /// (segment, security type, agency).
    static let keysPerEvent = 3

    /// Whether every key `e` would add still fits under `limit`: checked before any is interned, near the limit
    /// only, so that a line rejected `cardinality` adds none of them (its district or sensor would otherwise stay
    /// and use up room that later lines find gone, and what is accepted would depend on the order of lines).
    ///
    /// - Complexity: one interner probe per key of the event (at most `keysPerEvent`).
    private func newKeysFit(_ e: UnsafePointer<Event>, _ b: EventBytes, limit: Int) -> Bool {
        var new = 0
        @inline(__always) func count(_ table: borrowing Interner, _ ref: ByteRef, _ tag: UInt32) {
            if !table.contains(b[ref], hash: Interner.hash(tag: tag)) { new += 1 }
        }
        if !e.pointee.district.isAbsent && e.pointee.district.count > 0 {
            count(districts, e.pointee.district, e.pointee.districtHash)
        }
        switch e.pointee.kind {
        case .fieldReport: count(reportIds, e.pointee.key, e.pointee.keyHash)
        case .traffic:
            count(trafficSensors.names, e.pointee.key, e.pointee.keyHash)
            count(segments, e.pointee.subject, e.pointee.subjectHash)
        case .security:
            count(securitySensors.names, e.pointee.key, e.pointee.keyHash)
            count(securityTypes, e.pointee.subject, e.pointee.subjectHash)
        case .service:
            count(dossierIds, e.pointee.key, e.pointee.keyHash)
            if !e.pointee.agency.isAbsent { count(agencies, e.pointee.agency, e.pointee.agencyHash) }
        case .metric: count(metricNames, e.pointee.key, e.pointee.keyHash)
        }
        return trackedKeys &+ new <= limit
    }

    // MARK: - Lines that are not events

    /// Counts a rejected line and writes its dead-letter record.
    public func reject(_ reason: RejectReason, source: Int32, line: Int, raw: UnsafeRawBufferPointer) {
        counts.lines += 1
        counts.rejected += 1
        counts.byReason[reason.code] += 1
        writeDeadLetter(reason, source: source, line: line, raw: raw)
    }

    /// Counts a line that was recognised but carries no event (e.g. a Suricata `flow` record).
    public func ignore() {
        counts.lines += 1
        counts.ignored += 1
    }

    /// Sets the lines dropped so far by `--when-full drop` (they were never parsed: not in `lines`).
    public func setDropped(_ n: Int) { counts.dropped = n }

    private func writeDeadLetter(_ reason: RejectReason, source: Int32, line: Int, raw: UnsafeRawBufferPointer) {
        guard output.wantsDeadLetters else { return }
        writer.reset()
        writer.raw("{\"reason\":")
        writer.string(reason.description)
        writer.raw(",\"source\":")
        writer.string(Int(source) < sources.count ? sources[Int(source)] : "-")
        writer.raw(",\"line\":")
        writer.int(line)
        writer.raw(",\"raw\":")
        writer.string(lossy: DeadLetter.cut(raw))
        writer.byte(0x7D)
        writer.bytes.withUnsafeBytes { output.deadLetter($0) }
    }

    // MARK: - Events

    @inline(__always)
    private func windowIndex(_ ts: Int64) -> Int64 {
        let w = config.window
        // Floor division; `ts + 1` rather than `-ts`, which would overflow at the earliest instant.
        return ts >= 0 ? ts / w : (ts + 1) / w - 1
    }

    /// The bounds and index of the last event's window: the next event is most often in it too, and then needs
    /// no division (a 64-bit `idiv` is some 40 cycles, about a tenth of what applying an event costs).
    private var lastWindow: (start: Int64, end: Int64, index: Int64) = (0, 0, 0)

    /// The index and end of the window holding `ts`.
    ///
    /// - Complexity: O(1).
    @inline(__always)
    private func window(of ts: Int64) -> (index: Int64, end: Int64) {
        if ts >= lastWindow.start && ts < lastWindow.end { return (lastWindow.index, lastWindow.end) }
        let k = windowIndex(ts)
        lastWindow = (windowStart(k), windowEnd(k), k)
        return (k, lastWindow.end)
    }

    /// Start of window `k`, cut at the earliest instant for the window that begins before it.
    ///
    /// - Complexity: O(1).
    @inline(__always)
    private func windowStart(_ k: Int64) -> Int64 { k.saturatingMultiplied(by: config.window) }

    /// End of window `k`, cut at the latest instant for the window that ends after it.
    ///
    /// - Complexity: O(1).
    @inline(__always)
    private func windowEnd(_ k: Int64) -> Int64 { (k + 1).saturatingMultiplied(by: config.window) }

    /// Interns `bytes` in `table`, whose hash's upper half (`Interner.tag`) the parse stage computed, or returns nil
    /// when that would pass `--max-keys`.
    @inline(__always)
    private func intern(
        _ table: inout Interner, _ bytes: UnsafeRawBufferPointer, tag: UInt32, limit: Int
    ) -> Int32? {
        let (id, isNew) = table.intern(bytes, hash: Interner.hash(tag: tag), allowNew: trackedKeys < limit)
        if isNew { trackedKeys += 1 }
        return id
    }

    /// Applies one validated, classified event in input order.
    ///
    /// - Complexity: O(1) amortised, plus the windows it closes; no allocation after warm-up except for new keys.
    public func apply(_ e: Event, _ b: EventBytes) { withUnsafePointer(to: e) { apply($0, b, lineBase: 0) } }

    /// `apply(_:_:)` for an event whose `lineNumber` counts from `lineBase` (a batch's events are numbered within
    /// the batch): the event is read in place, not copied to renumber it.
    ///
    /// - Complexity: O(1) amortised, plus the windows it closes; no allocation after warm-up except for new keys.
    @inline(__always)
    func apply(_ e: UnsafePointer<Event>, _ b: EventBytes, lineBase: Int) {
        // Keys first, so a cardinality rejection leaves no trace in state: near the limit, whether all of the
        // event's new keys fit is known before any is interned.
        let limit = config.maxKeys
        if trackedKeys &+ WindowAggregator.keysPerEvent > limit && !newKeysFit(e, b, limit: limit) {
            reject(
                .cardinality, source: e.pointee.source, line: lineBase + e.pointee.lineNumber,
                raw: b.line(of: e.pointee))
            return
        }
        guard
            let district = e.pointee.district.isAbsent || e.pointee.district.count == 0
                ? unknownDistrict
                : intern(&districts, b[e.pointee.district], tag: e.pointee.districtHash, limit: limit)
        else {
            reject(
                .cardinality, source: e.pointee.source, line: lineBase + e.pointee.lineNumber,
                raw: b.line(of: e.pointee))
            return
        }
        var key: Int32 = 0
        var subject: Int32 = 0
        var ok = true
        switch e.pointee.kind {
        case .fieldReport:
            if let k = intern(&reportIds, b[e.pointee.key], tag: e.pointee.keyHash, limit: limit) {
                key = k
            } else {
                ok = false
            }
        case .traffic:
            if let k = intern(&trafficSensors.names, b[e.pointee.key], tag: e.pointee.keyHash, limit: limit),
                let s = intern(&segments, b[e.pointee.subject], tag: e.pointee.subjectHash, limit: limit)
            {
                key = k
                subject = s
            } else {
                ok = false
            }
        case .security:
            if let k = intern(&securitySensors.names, b[e.pointee.key], tag: e.pointee.keyHash, limit: limit),
                let s = intern(&securityTypes, b[e.pointee.subject], tag: e.pointee.subjectHash, limit: limit)
            {
                key = k
                subject = s
            } else {
                ok = false
            }
        case .service:
            if let k = intern(&dossierIds, b[e.pointee.key], tag: e.pointee.keyHash, limit: limit) {
                key = k
            } else {
                ok = false
            }
            if ok && !e.pointee.agency.isAbsent {
                if let a = intern(&agencies, b[e.pointee.agency], tag: e.pointee.agencyHash, limit: limit) {
                    subject = a
                } else {
                    ok = false
                }
            } else {
                subject = -1
            }
        case .metric:
            if let k = intern(&metricNames, b[e.pointee.key], tag: e.pointee.keyHash, limit: limit) {
                key = k
            } else {
                ok = false
            }
        }
        guard ok else {
            reject(
                .cardinality, source: e.pointee.source, line: lineBase + e.pointee.lineNumber,
                raw: b.line(of: e.pointee))
            return
        }

        counts.lines += 1
        counts.accepted += 1
        acceptedByDistrictKind.add(Int(district) &* WindowAggregator.kindCount &+ Int(e.pointee.kind.rawValue))
        let (k, end) = window(of: e.pointee.ts)
        let late = watermark.map { end <= $0 } ?? false
        if late {
            counts.late += 1
            writeDeadLetter(
                .late, source: e.pointee.source, line: lineBase + e.pointee.lineNumber, raw: b.line(of: e.pointee))
        } else {
            if nextClose == nil || k < nextClose! { nextClose = k }
            if k > maxWindow { maxWindow = k }
            if k != cachedWindowIndex {
                if let box = windows[k] {
                    cachedWindowData = box.pointer
                } else {
                    let box = WindowBox(WindowData(start: windowStart(k), categories: rules.categories.count + 1))
                    windows[k] = box
                    cachedWindowData = box.pointer
                }
                cachedWindowIndex = k
            }
        }

        // No window changes hands until `closeWindows` below, so the pointer stays valid through the kind's update.
        let box = late ? nil : cachedWindowData
        switch e.pointee.kind {
        case .fieldReport: applyReport(e, b, id: key, district: district, window: box)
        case .traffic: applyTraffic(e, sensor: key, segment: subject, window: box)
        case .security: applySecurity(e, b, sensor: key, type: subject, district: district, window: box)
        case .service: applyService(e, dossier: key, agency: subject, window: box)
        case .metric: applyMetric(e, name: key, window: box)
        }
        // Most events change no alert: the check without the call.
        if !alerts.changes.isEmpty { flushAlertChanges() }

        let mark = e.pointee.ts.saturatingSubtracting(config.lateness)
        if watermark == nil || mark > watermark! {
            watermark = mark
            closeWindows(through: mark)
        }
    }

    private func applyReport(
        _ e: UnsafePointer<Event>, _ b: EventBytes, id: Int32, district: Int32,
        window k: UnsafeMutablePointer<WindowData>?
    ) {
        let i = Int(id)
        if i == reports.count { reports.append(ReportState()) }
        switch e.pointee.reportStatus {
        case .new:
            if reports[i].hasNew {
                counts.duplicates += 1
                return
            }
            // An index from rules that were replaced while the event was in flight falls back to `other`.
            let fallback = rules.categories.count
            let category =
                e.pointee.categoryIndex >= 0 && Int(e.pointee.categoryIndex) <= fallback
                ? Int(e.pointee.categoryIndex) : fallback
            let cat = rules.category(at: category)
            reports[i].newTs = e.pointee.ts
            reports[i].category = Int16(category)
            reports[i].due = e.pointee.due != .min ? e.pointee.due : e.pointee.ts.saturatingAdding(cat.sla)
            reportsReceivedTotal += 1
            if reports[i].isOpen {
                reportsOpen += 1
                reportDue.push(reports[i].due, id)
            }
            if let k {
                k.pointee.reportsReceived += 1
                k.pointee.reportsByCategory[category] += 1
                k.pointee.reportsByDistrict.add(district)
            }
            if output.wantsDispatch { dispatchReport(e, b, category: cat, due: reports[i].due) }
        case .assigned:
            break
        case .resolved:
            guard !reports[i].resolved else { return }
            let wasOpen = reports[i].isOpen
            reports[i].resolved = true
            reportsResolvedTotal += 1
            if let k {
                k.pointee.reportsResolved += 1
                if reports[i].hasNew {
                    k.pointee.resolveMinutes.add(Double(e.pointee.ts.saturatingSubtracting(reports[i].newTs)) / 60e9)
                }
            }
            if wasOpen { close(report: id, at: e.pointee.ts) }
        case .rejected:
            guard !reports[i].rejected else { return }
            let wasOpen = reports[i].isOpen
            reports[i].rejected = true
            if let k { k.pointee.reportsRejected += 1 }
            if wasOpen { close(report: id, at: e.pointee.ts) }
        }
    }

    /// A report stopped being open: leave `open`/`overdue` and clear its alert.
    private func close(report id: Int32, at ts: Int64) {
        reportsOpen -= 1
        if reports[Int(id)].overdue {
            reports[Int(id)].overdue = false
            reportsOverdue -= 1
            alerts.clear(.reportOverdue, subject: reportIds.string(id), at: ts)
        }
    }

    private func applyTraffic(
        _ e: UnsafePointer<Event>, sensor: Int32, segment: Int32, window k: UnsafeMutablePointer<WindowData>?
    ) {
        if trafficSensors.touch(sensor, ts: e.pointee.ts) {
            alerts.clear(.sensorOffline, subject: trafficSensors.names.string(sensor), at: e.pointee.ts)
        }
        let level = rules.level(ofSpeed: e.pointee.speedKmh)
        if let k {
            k.pointee.readings += 1
            k.pointee.vehicles += Int128(e.pointee.vehicles)
            k.pointee.speedSum.add(e.pointee.speedKmh)
            k.pointee.levels[level.rawValue] += 1
            k.pointee.segments.update(segment, default: SpeedSum()) { $0.add(e.pointee.speedKmh) }
        }
        // traffic.jam follows arrival order, late readings included.
        let s = Int(segment)
        while jamStreak.count <= s {
            jamStreak.append(0)
            jamActive.append(false)
        }
        switch level {
        case .jam:
            jamStreak[s] += 1
            if Int(jamStreak[s]) >= rules.jamReadings && !jamActive[s] {
                jamActive[s] = true
                alerts.raise(.trafficJam, subject: segments.string(segment), priority: .p2, at: e.pointee.ts)
            }
        case .heavy:
            jamStreak[s] = 0
        case .free, .moderate:
            jamStreak[s] = 0
            if jamActive[s] {
                jamActive[s] = false
                alerts.clear(.trafficJam, subject: segments.string(segment), at: e.pointee.ts)
            }
        }
    }

    private func applySecurity(
        _ e: UnsafePointer<Event>, _ b: EventBytes, sensor: Int32, type: Int32, district: Int32,
        window k: UnsafeMutablePointer<WindowData>?
    ) {
        if securitySensors.touch(sensor, ts: e.pointee.ts) {
            alerts.clear(.sensorOffline, subject: securitySensors.names.string(sensor), at: e.pointee.ts)
        }
        let t = Int(type)
        while typeInfo.count <= t { typeInfo.append(typeInfo(for: Int32(typeInfo.count))) }
        let info = typeInfo[t]
        let priority: Priority =
            info.p1 || e.pointee.severity >= rules.securityP1MinSeverity
            ? .p1 : severityPriority[min(max(e.pointee.severity, 0), 5)]
        if let k {
            k.pointee.securityEvents += 1
            k.pointee.securityByPriority[priority.rawValue - 1] += 1
            k.pointee.securityByType.add(type)
            k.pointee.securityByRoute.add(info.route)
            k.pointee.securityByDistrict.add(district)
            if priority <= .p2 { k.pointee.urgentByDistrict.add(district) }
        }
        if output.wantsDispatch { dispatchSecurity(e, b, route: info.route, priority: priority) }
    }

    private func typeInfo(for type: Int32) -> (p1: Bool, route: Int32) {
        let name = securityTypes.string(type)
        let route = routes.intern(rules.securityRoute(type: name))
        return (rules.securityP1Types.contains(name), route)
    }

    private func applyService(
        _ e: UnsafePointer<Event>, dossier: Int32, agency eventAgency: Int32,
        window k: UnsafeMutablePointer<WindowData>?
    ) {
        let i = Int(dossier)
        if i == dossiers.count { dossiers.append(DossierState()) }
        var d = dossiers[i]
        let wasInProgress = d.inProgress
        var agency = d.agency >= 0 ? d.agency : eventAgency
        switch e.pointee.dossierEvent {
        case .received:
            guard !d.received else { return listAgency(agency, in: k) }
            d.received = true
            if eventAgency >= 0 { d.agency = eventAgency }
            agency = d.agency
            if e.pointee.due != .min { d.due = e.pointee.due }
            if let k {
                k.pointee.servicesReceived += 1
                if e.pointee.channel == .online { k.pointee.servicesReceivedOnline += 1 }
            }
            if d.inProgress && d.due != .min { dossierDue.push(d.due, dossier) }
        case .resolved:
            guard !d.resolved else { return listAgency(agency, in: k) }
            d.resolved = true
            if e.pointee.due != .min { d.due = e.pointee.due }
            if let k {
                k.pointee.servicesResolved += 1
                if d.due != .min {
                    k.pointee.servicesWithDue += 1
                    if e.pointee.ts <= d.due { k.pointee.servicesOnTime += 1 }
                }
            }
        case .returned:
            guard !d.returned else { return listAgency(agency, in: k) }
            d.returned = true
        }
        if agency < 0 { agency = unknownAgency }
        makeRoom(forAgency: agency)
        if let k {
            var c = k.pointee.servicesByAgency[agency] ?? AgencyCounts()
            if e.pointee.dossierEvent == .received { c.received += 1 }
            if e.pointee.dossierEvent == .resolved {
                c.resolved += 1
                if d.due != .min {
                    c.withDue += 1
                    if e.pointee.ts <= d.due { c.onTime += 1 }
                }
            }
            k.pointee.servicesByAgency[agency] = c
        }
        if !wasInProgress && d.inProgress {
            servicesInProgress += 1
            agencyInProgress[Int(agency)] += 1
        } else if wasInProgress && !d.inProgress {
            servicesInProgress -= 1
            let owner = Int(d.agency >= 0 ? d.agency : agency)
            agencyInProgress[owner] -= 1
            if d.overdue {
                d.overdue = false
                servicesOverdue -= 1
                agencyOverdue[owner] -= 1
            }
        }
        if d.agency < 0 && d.received { d.agency = agency }
        dossiers[i] = d
    }

    /// A dossier's repeated event changes no count, but it is an event of its agency in the window: SPEC §5's
    /// `by_agency` lists every agency with an event in the window, so the agency gets its row (of zeros, unless
    /// other events fill it).
    private func listAgency(_ agency: Int32, in k: UnsafeMutablePointer<WindowData>?) {
        guard let k else { return }
        let agency = agency < 0 ? unknownAgency : agency
        makeRoom(forAgency: agency)
        if k.pointee.servicesByAgency[agency] == nil { k.pointee.servicesByAgency[agency] = AgencyCounts() }
    }

    /// The per-agency state counts reach `agency` (a snapshot reads them for every agency it lists).
    private func makeRoom(forAgency agency: Int32) {
        while agencyInProgress.count <= Int(agency) {
            agencyInProgress.append(0)
            agencyOverdue.append(0)
        }
    }

    private func applyMetric(_ e: UnsafePointer<Event>, name: Int32, window k: UnsafeMutablePointer<WindowData>?) {
        guard let k else { return }
        k.pointee.metrics.update(name, default: MetricWindow()) { $0.add(e.pointee.value) }
    }

    // MARK: - Routed output

    private func dispatchReport(_ e: UnsafePointer<Event>, _ b: EventBytes, category: ReportCategory, due: Int64) {
        writer.reset()
        appendWithoutClosingBrace(b.line(of: e.pointee))
        writer.raw("\"route\":{\"category\":")
        writer.string(category.code)
        writer.raw(",\"agency\":")
        writer.string(category.agency)
        writer.raw(",\"priority\":")
        writer.string(category.priority.name)
        writer.raw(",\"due\":")
        writer.timestamp(due)
        writer.raw("}}")
        writer.bytes.withUnsafeBytes { output.dispatch(route: category.agency, line: $0) }
    }

    private func dispatchSecurity(_ e: UnsafePointer<Event>, _ b: EventBytes, route: Int32, priority: Priority) {
        let routeName = routes.string(route)
        writer.reset()
        appendWithoutClosingBrace(b.line(of: e.pointee))
        // The shape of SPEC §6's route member, `{"category","agency"|"route","priority","due"}`: a security
        // event's category is its type, it goes to a route, and it has no SLA (no `due`).
        writer.raw("\"route\":{\"category\":")
        writer.string(utf8: b[e.pointee.subject])
        writer.raw(",\"route\":")
        writer.string(routeName)
        writer.raw(",\"priority\":")
        writer.string(priority.name)
        writer.raw("}}")
        writer.bytes.withUnsafeBytes { output.dispatch(route: routeName, line: $0) }
    }

    /// Copies an object's text up to (not including) its closing brace, then a comma if it had members.
    private func appendWithoutClosingBrace(_ line: UnsafeRawBufferPointer) {
        var end = line.count
        while end > 0 && line[end - 1] != 0x7D { end -= 1 }
        end -= 1  // the closing brace
        writer.bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: line[0..<max(end, 0)]))
        var j = end - 1
        while j >= 0 && (line[j] == 0x20 || line[j] == 0x09 || line[j] == 0x0A || line[j] == 0x0D) { j -= 1 }
        if j >= 0 && line[j] != 0x7B { writer.byte(0x2C) }
    }

    // MARK: - Closing windows

    private func closeWindows(through mark: Int64) {
        while let k = nextClose, windowEnd(k) <= mark {
            closeWindow(k)
            // The window that ends at the latest instant is the last there is.
            nextClose = windowEnd(k) == .max ? nil : k + 1
        }
    }

    /// Moves the watermark forward to `mark` without an event (SPEC §4's idle advance on a quiet live input) and
    /// closes the windows it passes, empty ones included, so a silent feed still gets snapshots and alerts.
    /// Does nothing before the first event or when `mark` is not ahead.
    ///
    /// - Complexity: O(windows closed).
    public func advanceWatermark(to mark: Int64) {
        guard let current = watermark, mark > current else { return }
        watermark = mark
        closeWindows(through: mark)
        flushAlertChanges()
    }

    /// Closes every open window (end of input or shutdown), the one the watermark is in included: after an idle
    /// advance it lies past the last event, and whatever provisional snapshot was written of it must not stay the
    /// last word (in `--latest`, for subscribers). Without an idle advance it is never past the last event's.
    ///
    /// - Complexity: O(windows closed).
    public func finish() {
        guard var k = nextClose, let mark = watermark else { return }
        let last = max(maxWindow, windowIndex(mark))
        while k <= last {
            closeWindow(k)
            k += 1
        }
        nextClose = k
    }

    private func closeWindow(_ k: Int64) {
        let start = windowStart(k)
        let end = windowEnd(k)
        if k == cachedWindowIndex {
            cachedWindowIndex = .min
            cachedWindowData = nil
        }
        var data =
            windows.removeValue(forKey: k)?.data ?? WindowData(start: start, categories: rules.categories.count + 1)
        data.sortSamples()

        // State at this moment, with the window's end as the clock. Alerts raised at a close go out in a fixed
        // order: rule by rule, subjects in byte order.
        var newlyOverdue: [(subject: String, priority: Priority)] = []
        while let top = reportDue.top, top.due < end {
            _ = reportDue.pop()
            let i = Int(top.id)
            guard reports[i].isOpen, !reports[i].overdue, reports[i].due == top.due else { continue }
            reports[i].overdue = true
            reportsOverdue += 1
            newlyOverdue.append((reportIds.string(top.id), rules.category(at: Int(reports[i].category)).priority))
        }
        for r in newlyOverdue.sorted(by: { $0.subject.utf8.lexicographicallyPrecedes($1.subject.utf8) }) {
            alerts.raise(.reportOverdue, subject: r.subject, priority: r.priority, at: end)
        }
        while let top = dossierDue.top, top.due < end {
            _ = dossierDue.pop()
            let i = Int(top.id)
            guard dossiers[i].inProgress, !dossiers[i].overdue, dossiers[i].due == top.due else { continue }
            dossiers[i].overdue = true
            servicesOverdue += 1
            agencyOverdue[Int(dossiers[i].agency)] += 1
        }
        // Traffic and security sensors are counted apart, but an alert is named by the sensor alone: one
        // `sensor.offline:X` for both, raised again at a close while either is still silent.
        var offline = offlineSensors(&trafficSensors, clock: end)
        offline += offlineSensors(&securitySensors, clock: end)
        offline.sort { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        for name in offline { alerts.raise(.sensorOffline, subject: name, priority: .p3, at: end) }
        checkHotspots(data, clock: end)
        checkMetricSLAs(data, clock: end)
        flushAlertChanges()

        let rolling = data.bucketedForMerging()
        writeSnapshot(data, rolling: rolling, end: end, final: true)
        span15.push(rolling)
        span60.push(rolling)
    }

    /// Names of the sensors of `table` offline at `clock`; marks them so their next event clears the alert.
    private func offlineSensors(_ table: inout SensorTable, clock: Int64) -> [String] {
        let threshold = clock.saturatingSubtracting(rules.sensorTTL)
        var names: [String] = []
        for i in table.lastTs.indices where table.lastTs[i] < threshold {
            table.alerted[i] = true
            names.append(table.names.string(Int32(i)))
        }
        return names
    }

    private func checkHotspots(_ data: WindowData, clock: Int64) {
        while hotspotActive.count < districts.count { hotspotActive.append(false) }
        var cleared: [String] = []
        for d in hotspotActive.indices where hotspotActive[d] {
            if data.urgentByDistrict[Int32(d), default: 0] < rules.hotspotMinEvents {
                hotspotActive[d] = false
                cleared.append(districts.string(Int32(d)))
            }
        }
        for name in cleared.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            alerts.clear(.securityHotspot, subject: name, at: clock)
        }
        var raised: [String] = []
        for (d, n) in data.urgentByDistrict where n >= rules.hotspotMinEvents && !hotspotActive[Int(d)] {
            hotspotActive[Int(d)] = true
            raised.append(districts.string(d))
        }
        for name in raised.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            alerts.raise(.securityHotspot, subject: name, priority: .p1, at: clock)
        }
    }

    private func checkMetricSLAs(_ data: WindowData, clock: Int64) {
        while metricThresholds.count < metricNames.count {
            let name = metricNames.string(Int32(metricThresholds.count))
            metricThresholds.append(rules.metricThresholds.indices.filter { rules.metricThresholds[$0].matches(name) })
            metricAlertActive.append(false)
        }
        let byName = data.metrics.map { (id: $0.key, name: metricNames.string($0.key), window: $0.value) }
            .sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        for (m, name, w) in byName where !metricThresholds[Int(m)].isEmpty {
            let broken = metricThresholds[Int(m)].contains { t in
                let th = rules.metricThresholds[t]
                guard let v = MetricStats(w).value(th.stat) else { return false }
                return th.isBroken(by: v)
            }
            if broken && !metricAlertActive[Int(m)] {
                metricAlertActive[Int(m)] = true
                alerts.raise(.metricSLA, subject: name, priority: .p2, at: clock)
            } else if !broken && metricAlertActive[Int(m)] {
                metricAlertActive[Int(m)] = false
                alerts.clear(.metricSLA, subject: name, at: clock)
            }
        }
    }

    private func flushAlertChanges() {
        guard !alerts.changes.isEmpty else { return }
        for c in alerts.changes {
            writer.reset()
            writer.raw("{\"alert\":")
            writer.string(c.raised ? "raised" : "cleared")
            writer.raw(",\"id\":")
            writer.string(c.alert.id)
            writer.raw(",\"rule\":")
            writer.string(c.alert.rule.rawValue)
            writer.raw(",\"subject\":")
            writer.string(c.alert.subject)
            writer.raw(",\"priority\":")
            writer.string(c.alert.priority.name)
            writer.raw(",\"at\":")
            writer.timestamp(c.at)
            writer.byte(0x7D)
            writer.bytes.withUnsafeBytes { output.alert($0) }
        }
        alerts.changes.removeAll(keepingCapacity: true)
    }

    private func rulesChanged() {
        typeInfo.removeAll()
        severityPriority = (0...5).map { rules.securitySeverityPriority[$0] ?? .p4 }
        metricThresholds.removeAll()
        for w in windows.values {
            if w.data.reportsByCategory.count != rules.categories.count + 1 {
                w.data.reportsByCategory = [Int](repeating: 0, count: rules.categories.count + 1)
            }
        }
    }

    // MARK: - Totals

    /// End-of-run totals: pipeline counts, rejections by reason, accepted events per kind and per kind and
    /// district (`--totals`), as one JSON object.
    public func totalsJSON() -> [UInt8] {
        var w = JSONWriter()
        let c = counts
        w.raw("{\"schema\":\"ioc.totals/1\",\"lines\":")
        w.int(c.lines)
        w.raw(",\"accepted\":")
        w.int(c.accepted)
        w.raw(",\"rejected\":")
        w.int(c.rejected)
        w.raw(",\"ignored\":")
        w.int(c.ignored)
        w.raw(",\"late\":")
        w.int(c.late)
        w.raw(",\"duplicates\":")
        w.int(c.duplicates)
        w.raw(",\"dropped\":")
        w.int(c.dropped)
        w.raw(",\"rejected_by_reason\":{")
        for (i, (reason, n)) in c.rejectedByReason.enumerated() {
            if i > 0 { w.byte(0x2C) }
            w.key(reason)
            w.int(n)
        }
        let kinds = WindowAggregator.kindCount
        let byDistrictKind = acceptedByDistrictKind.nonZero
        w.raw("},\"by_kind\":{")
        for (i, kind) in EventKind.allCases.enumerated() {
            if i > 0 { w.byte(0x2C) }
            w.key(kind.name)
            w.int(byDistrictKind.reduce(0) { $0 + ($1.key % kinds == i ? $1.count : 0) })
        }
        w.raw("},\"by_kind_district\":{")
        for (i, kind) in EventKind.allCases.enumerated() {
            if i > 0 { w.byte(0x2C) }
            w.key(kind.name)
            w.byte(0x7B)
            let rows = byDistrictKind.filter { $0.key % kinds == i }
                .map { (districts.string(Int32($0.key / kinds)), $0.count) }
                .sorted { $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }
            for (j, (name, n)) in rows.enumerated() {
                if j > 0 { w.byte(0x2C) }
                w.key(name)
                w.int(n)
            }
            w.byte(0x7D)
        }
        w.raw("}}")
        return w.bytes
    }

    // MARK: - Snapshots

    /// Writes a provisional snapshot (`"final": false`, `--every`) of the oldest open window, the one the
    /// watermark is in and that closes next; its state members are taken with the watermark as the clock.
    /// Does nothing before the first event.
    public func provisionalSnapshot() {
        guard let mark = watermark, let k = nextClose else { return }
        // Sorted in place: the next provisional snapshot sorts only what arrived since (a sorted run and a tail).
        windows[k]?.pointer.pointee.sortSamples()
        let open = windows[k]?.data ?? WindowData(start: windowStart(k), categories: rules.categories.count + 1)
        writeSnapshot(open, rolling: open.bucketedForMerging(), end: windowEnd(k), final: false, clock: mark)
    }

    /// Writes the snapshot of `data`; `rolling` is the same window as the rolling sections merge it
    /// (`WindowData.bucketedForMerging`).
    private func writeSnapshot(
        _ data: WindowData, rolling: WindowData, end: Int64, final: Bool, clock: Int64? = nil
    ) {
        let clock = clock ?? end
        let urgent = alerts.mostUrgent()
        let encoder = SnapshotEncoder(aggregator: self, clock: clock, provisional: !final, urgent: urgent)
        let rolling15 = span15.section(rolling, end: end)
        let rolling60 = span60.section(rolling, end: end)
        writer.reset()
        encoder.encode(
            data, windowStart: data.start, windowEnd: end, final: final, rolling15: rolling15, rolling60: rolling60,
            into: &writer)
        writer.bytes.withUnsafeBytes { output.snapshot($0, final: final) }
        if final && output.wantsSummaries { output.summary(encoder.summary(data, windowEnd: end)) }
    }
}

/// The statistics of one metric in a window, for thresholds and snapshots.
struct MetricStats {
    let w: MetricWindow
    init(_ w: MetricWindow) { self.w = w }

    func value(_ stat: MetricThreshold.Stat) -> Double? {
        guard w.values.count > 0 else { return nil }
        switch stat {
        case .mean: return w.values.mean
        case .min: return w.values.min
        case .max: return w.values.max
        case .p50: return w.values.quantile(0.50)
        case .p95: return w.values.quantile(0.95)
        case .p99: return w.values.quantile(0.99)
        case .last: return w.last
        }
    }
}

/// Cutting `raw` for dead-letter records.
public enum DeadLetter {
    /// Most bytes of a rejected line kept in its record.
    public static let rawLimit = 4096

    /// The first `rawLimit` bytes of `raw`, not splitting a UTF-8 sequence.
    public static func cut(_ raw: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        guard raw.count > rawLimit else { return raw }
        var n = rawLimit
        // Back off over continuation bytes so a valid character is not cut in two.
        var back = 0
        while n > 0 && back < 3 && raw[n] & 0xC0 == 0x80 {
            n -= 1
            back += 1
        }
        if back == 3 && raw[n] & 0xC0 == 0x80 { n = rawLimit }
        return UnsafeRawBufferPointer(rebasing: raw[0..<n])
    }
}

/// A window's data behind a reference, so per-event updates mutate it in place (a `Dictionary` of structs would
/// copy the whole window on some access paths).
///
/// The data lives at a fixed address (`pointer`), so the hot path can write through it without retaining the box
/// or going through a class accessor per count.
final class WindowBox {
    let pointer: UnsafeMutablePointer<WindowData>

    var data: WindowData {
        _read { yield pointer.pointee }
        _modify { yield &pointer.pointee }
    }

    init(_ data: WindowData) {
        pointer = .allocate(capacity: 1)
        pointer.initialize(to: data)
    }

    deinit {
        pointer.deinitialize(count: 1)
        pointer.deallocate()
    }
}
