#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A deterministic synthetic city feed (SPEC §2): the lines `ioc gen` writes and `ioc bench` and the tests replay.
///
/// The simulated city is Hanoi: 12 urban districts (Ba Đình, Hoàn Kiếm, Tây Hồ, Long Biên, Cầu Giấy, Đống Đa,
/// Hai Bà Trưng, Hoàng Mai, Thanh Xuân, Nam Từ Liêm, Bắc Từ Liêm, Hà Đông) with 146 named street segments.
/// Event time starts at `Options.start` and advances by an exponential step per line, `1 / eventsPerSecond`
/// seconds on average, so the city is as busy as the density says (the default, 200 lines per second of event
/// time, is a city about 20× busier than Hanoi; 10–20 is closer to life). Line shares of the well-formed lines:
///
/// - **traffic ≈ 55 %** — 355 loop detectors, 2–3 per segment, reporting in turn (fewer of them when the
///   density is so low that each would report less than once a minute). Speed follows the local time of day (free flow 35–60 km/h at
///   night, rush hours 07–09 and 17–19 down to roughly half) with Gaussian noise; `vehicles` per interval follows
///   demand; `occupancy` (on 3 of 4 sensors) grows as speed falls. About once every 90 s of event time at peak
///   demand (less at night) a segment jams: its next 4–12 readings, at least 3 in a row, are below 10 km/h
///   (`traffic.jam`). About once a minute of event time a sensor goes silent for 6–20 minutes (`sensor.offline`).
/// - **metric ≈ 15 %** — `portal.response_ms` (40 %, log-normal, median 280 ms, σ 0.55), `gateway.response_ms`
///   (20 %, median 120 ms), `portal.up` (15 %, 1 except in outages), `dvc.queue_depth` (25 %, follows demand).
///   Slow spells of 90–240 s (the first within a few minutes, then about every 25 minutes of event time) multiply
///   one system's response times by 8–12, so a window's p95 passes 2000 ms (`metric.sla`); a third of the
///   portal's spells are outages where `portal.up` is mostly 0.
/// - **field_report ≈ 12 %** — lifecycles `new` → `assigned` (after 2–60 min) → `resolved` (75 %, after a
///   log-normal share of the category's SLA, median 45 %, so about one in six is resolved after it is due) or
///   `rejected` (8 %); 17 % stay open (5 % never assigned), so some become overdue (`report.overdue`). Ids
///   `PA-<year>-000123`. Categories: fire 4 %, flooding 12 %, public_order 10 %, traffic 10 %, roads 12 %,
///   lighting 9 %, sanitation 14 %, trees 7 %, construction 8 %, and 14 % texts that match nothing. Texts are
///   built from the default rules' phrases: Vietnamese with accents 50 %, typed without accents 20 %, English
///   20 %, upper case 10 %; some hold escaped quotes. 10 % of `new`s carry a `category` code, 1 % an unknown
///   one; 3 % of `new`s are duplicates of the previous one. `lat`/`lon` near the district, `channel`
///   app/hotline/zalo/web, `photos` 0–4 on most.
/// - **security ≈ 10 %** — 6 cameras and 2 alarms per district (only cameras, fewer, when the density is so low
///   that each would report less than once a minute), reporting in turn. Cameras give loitering, crowd,
///   camera_offline, intrusion, tamper, fight, weapon; alarms intrusion, tamper, smoke, fire. Background
///   severities are mostly 1–2: about 1 % of background events are P1/P2, so even at the default density a
///   district rarely sees 5 in a minute by chance. Every ~6 minutes of event time (the first within ~70 s) a
///   burst of 5–8 P1/P2 events (fight, crowd, intrusion, weapon, fire, smoke; severity 3–5) hits one district's
///   cameras within seconds (`security.hotspot`).
/// - **service ≈ 8 %** — dossiers `received` (agency such as "Sở Tư pháp", a procedure, channel online 55 % /
///   counter 38 % / post 7 %, `due` 4 hours to 15 days later), then `resolved` (85 %: four in five before due,
///   the rest after it; 30 % repeat `due`) or `returned` (10 %); 5 % stay in progress. Ids
///   `000.00.12.H26-261122-000123` (agency code, local date of receipt, sequence); half the online ones name
///   no district.
///
/// Timestamps: 85 % `+07:00`, 15 % `Z`; 35 % carry a millisecond fraction. 10 % of lines arrive up to 4 s out of
/// order; 0.2 % of traffic, security and metric lines are 2–10 minutes old (late). Every id a later event refers
/// to was generated earlier. `badRatio` of the lines are broken in each way a line alone can be rejected
/// (`malformed_json`, `not_object`, `unknown_kind`, `missing_field`, `bad_type`, `bad_value`, `bad_timestamp`):
/// 28 templates of realistic mistakes (truncated lines, `NaN`, arrays, unknown kinds, missing or mistyped
/// members, out-of-range values, local times without an offset…), picked uniformly.
///
/// Same options, same bytes: a xoshiro256** generator seeded through SplitMix64 drives every choice, and the
/// tables (names, texts) are built from constants. Memory is bounded: pending lifecycle steps wait in 14 FIFO
/// rings by delay class (under 1 minute, 1, 2–3, 4–7, … minutes, the last everything from 4096 minutes up), each
/// holding at most 2^18 (10 MB); when one is full its oldest pending lifecycle is dropped (the report or dossier
/// then simply stays open). At the default density every lifecycle of a day-long feed runs its course: the steps
/// pending at once are the lifecycles started per minute times their delays (about 100,000 at the end of a
/// 1.7-million-line feed of 2.4 hours, 460,000 after a day, the fullest ring 120,000). Nothing else grows with
/// the feed.
public struct FeedGenerator {
    /// The times a feed may start at, 1678-01-01T00:00:00Z through 2261-12-31T00:00:00Z: its lines reach minutes
    /// before the clock (late lines) and weeks after it (due dates), which must stay in the 64-bit range.
    public static let startRange: ClosedRange<Int64> = -9_214_560_000_000_000_000...9_214_560_000_000_000_000

    /// The feed ends when its clock passes this, 60 days before the latest instant (2262-02-10), whatever
    /// `events` or `duration` say, for the same reason.
    static let clockLimit: Int64 = .max - 60 * 86_400 * 1_000_000_000

    public struct Options: Sendable {
        public var seed: UInt64 = 1
        /// Stop after this many lines (with neither `events` nor `duration` the feed never ends).
        public var events: Int? = nil
        /// Or stop when event time passes `start + duration`, nanoseconds.
        public var duration: Int64? = nil
        /// First event time, nanoseconds since the epoch.
        public var start: Int64
        /// Share of malformed or invalid lines, 0…1.
        public var badRatio: Double = 0
        /// Event-time density: lines per second of event time, on average.
        public var eventsPerSecond: Double = 200

        public init(start: Int64) {
            self.start = start
        }
    }

    public let options: Options
    /// Event time of the last line generated.
    public private(set) var lastTimestamp: Int64
    public private(set) var linesGenerated = 0

    private let t = FeedTables.shared
    private var rng: Xoshiro256
    private var stamp = StampWriter()
    /// The simulation clock (monotonic); a line's `ts` is this minus jitter.
    private var clock: Int64
    private let meanStep: Double
    private let end: Int64

    // Traffic
    private let activeSensors: Int
    private var sensorCursor = 0
    private var silentUntil: [Int64]
    private var jamLeft: [Int16]
    private var nextJamAt: Int64
    private var nextSilenceAt: Int64

    // Metrics
    private var spellSystem = 0  // 0 portal, 1 gateway
    private var spellUntil: Int64 = .min
    private var spellFactor = 1.0
    private var spellOutage = false
    private var nextSpellAt: Int64

    // Security
    private let securityPerDistrict: Int
    private var securityCursor = 0
    private var burstLeft = 0
    private var burstDistrict = 0
    private var nextBurstAt: Int64

    // Field reports and dossiers
    private var reportSeq: UInt32 = 0
    private var reportQueues: LifecycleQueues
    private var lastNew: NewReport?
    private var dossierSeq: UInt32 = 0
    private var dossierQueues: LifecycleQueues
    private let reportYear: Int64

    public init(_ options: Options) {
        self.options = options
        rng = Xoshiro256(seed: options.seed)
        let eps = options.eventsPerSecond > 0 && options.eventsPerSecond.isFinite ? options.eventsPerSecond : 200
        meanStep = 1e9 / eps
        clock = options.start
        lastTimestamp = options.start
        if let d = options.duration {
            end = min(options.start.saturatingAdding(max(0, d)), Self.clockLimit)
        } else {
            end = Self.clockLimit
        }
        let sensorCount = t.sensorCount
        // Each active sensor reports about once a minute at least; at high density all of them report more often.
        activeSensors = min(sensorCount, max(12, Int(eps * 0.55 * 60)))
        securityPerDistrict = min(FeedTables.securityPerDistrict, max(1, Int(eps * 0.10 * 60 / 12)))
        silentUntil = [Int64](repeating: .min, count: sensorCount)
        jamLeft = [Int16](repeating: 0, count: t.segmentCount)
        nextJamAt = options.start
        nextSilenceAt = options.start
        nextSpellAt = options.start
        nextBurstAt = options.start
        reportQueues = LifecycleQueues()
        dossierQueues = LifecycleQueues()
        let localDays = Self.floorDiv(Self.floorDiv(options.start, 1_000_000_000) + 7 * 3600, 86_400)
        reportYear = Timestamp.civilFromDays(localDays).year
        // The first episodes come early so short feeds show each of them.
        nextJamAt &+= seconds(rng.exponential(t) * 20)
        nextSilenceAt &+= seconds(rng.exponential(t) * 30)
        nextSpellAt &+= seconds(30 + rng.exponential(t) * 150)
        nextBurstAt &+= seconds(10 + rng.exponential(t) * 60)
    }

    /// Appends the next line (ending in `\n`) to `out`; false when the feed is done.
    ///
    /// - Complexity: O(line length). Does not allocate once `out` has room and the lifecycle rings have grown
    ///   (they double up to their bound during warm-up).
    public mutating func next(into out: inout [UInt8]) -> Bool {
        if let n = options.events, linesGenerated >= n { return false }
        if linesGenerated > 0 {
            clock &+= Int64(rng.exponential(t) * meanStep)
        }
        if clock > end { return false }
        linesGenerated += 1
        if options.badRatio > 0, rng.unit() < options.badRatio {
            writeBad(into: &out)
            return true
        }
        let u = rng.next() >> 54  // 0..<1024
        if u < 563 {  // 55 %
            writeTraffic(into: &out)
        } else if u < 717 {  // 15 %
            writeMetric(into: &out)
        } else if u < 840 {  // 12 %
            writeReport(into: &out)
        } else if u < 942 {  // 10 %
            writeSecurity(into: &out)
        } else {  // 8 %
            writeService(into: &out)
        }
        return true
    }

    // MARK: - Time

    @inline(__always)
    private func seconds(_ s: Double) -> Int64 { Int64(s * 1e9) }

    /// `a / b` rounded towards negative infinity.
    @inline(__always)
    public static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    /// Picks the line's `ts` (jitter, lateness, precision), writes it, and records it as `lastTimestamp`.
    @inline(__always)
    private mutating func writeStamp(lateAllowed: Bool, into out: inout [UInt8]) {
        let bits = rng.next()
        var ts = clock
        if bits & 0xFF < 26 {  // 10 %: a few seconds out of order
            ts -= Int64((bits >> 8) & 0xFFFF) * 61_035  // up to 4 s
        }
        if lateAllowed, (bits >> 24) & 0x3FF < 2 {  // 0.2 %: minutes late
            ts -= 120_000_000_000 + Int64((bits >> 34) & 0xFFFF) * 7_324_000  // 2–10 min
        }
        if ts < options.start { ts = options.start }
        let utc = (bits >> 50) & 0xFF < 38  // 15 %
        let millis = (bits >> 58) < 22  // 35 %
        ts -= Self.floorMod(ts, millis ? 1_000_000 : 1_000_000_000)
        lastTimestamp = ts
        stamp.write(ts, utc: utc, millis: millis, into: &out)
    }

    @inline(__always)
    static func floorMod(_ a: Int64, _ b: Int64) -> Int64 {
        let r = a % b
        return r < 0 ? r + b : r
    }

    /// Demand 0.15…1 by the local (UTC+7) time of day of the clock.
    @inline(__always)
    private var demand: Double {
        let localSeconds = Self.floorMod(Self.floorDiv(clock, 1_000_000_000) + 7 * 3600, 86_400)
        return t.demand[Int(localSeconds / 900)]
    }

    // MARK: - Traffic

    private mutating func writeTraffic(into out: inout [UInt8]) {
        let d = demand
        if clock >= nextJamAt {
            let s = Int(t.sensorOrder[rng.below(activeSensors)])
            jamLeft[Int(t.sensorSegment[s])] = Int16(4 + rng.below(9))
            nextJamAt = clock + seconds(rng.exponential(t) * 90 / max(d, 0.15))
        }
        if clock >= nextSilenceAt {
            let s = Int(t.sensorOrder[rng.below(activeSensors)])
            silentUntil[s] = clock + seconds(360 + rng.unit() * 840)
            nextSilenceAt = clock + seconds(rng.exponential(t) * 60)
        }
        // Next sensor in round-robin order that is not silent.
        var s = 0
        for _ in 0..<activeSensors {
            s = Int(t.sensorOrder[sensorCursor])
            sensorCursor += 1
            if sensorCursor == activeSensors { sensorCursor = 0 }
            if silentUntil[s] <= clock { break }
        }
        let seg = Int(t.sensorSegment[s])
        let segment = t.segments[seg]
        var speed: Double
        var vehicles: Double
        if jamLeft[seg] > 0 {
            jamLeft[seg] -= 1
            speed = 1.5 + rng.unit() * 8  // < 10 km/h
            vehicles = segment.capacity * (0.08 + 0.12 * rng.unit())
        } else {
            let slowdown = 1 - 0.55 * d * segment.congestion
            speed = segment.freeSpeed * slowdown * (1 + 0.12 * rng.normal(t))
            if speed < 10.5 { speed = 10.5 + rng.unit() * 3 }
            vehicles = segment.capacity * d * (0.8 + 0.4 * rng.unit()) * (0.5 + 0.5 * min(1, speed / 30))
        }
        t.trafficHead.write(into: &out)
        writeStamp(lateAllowed: true, into: &out)
        t.sensorMiddle[s].write(into: &out)
        Digits.int(Int(vehicles), into: &out)
        t.speedKey.write(into: &out)
        Digits.fixed(speed, decimals: 1, into: &out)
        if t.sensorHasOccupancy[s] {
            var occ = 0.04 + 0.85 * max(0, 1 - speed / segment.freeSpeed) + 0.03 * rng.unit()
            if occ > 0.98 { occ = 0.98 }
            t.occupancyKey.write(into: &out)
            Digits.fixed(occ, decimals: 2, into: &out)
        }
        t.sensorTail[s].write(into: &out)
    }

    // MARK: - Metrics

    private mutating func writeMetric(into out: inout [UInt8]) {
        if clock >= nextSpellAt {
            spellSystem = rng.below(3) == 0 ? 1 : 0
            spellUntil = clock + seconds(90 + rng.unit() * 150)
            spellFactor = 8 + 4 * rng.unit()
            spellOutage = spellSystem == 0 && rng.below(3) == 0
            nextSpellAt = spellUntil + seconds(rng.exponential(t) * 1500)
        }
        let inSpell = clock < spellUntil
        let pick = rng.next() >> 56  // 0..<256
        let name: Int
        var value: Double
        var decimals = 1
        if pick < 102 {  // portal.response_ms
            name = 0
            value = 280 * t.logNormal[Int(rng.next() >> 52)]
            if inSpell && spellSystem == 0 { value *= spellFactor }
        } else if pick < 153 {  // gateway.response_ms
            name = 1
            value = 120 * t.logNormal[Int(rng.next() >> 52)]
            if inSpell && spellSystem == 1 { value *= spellFactor }
        } else if pick < 191 {  // portal.up
            name = 2
            let down = inSpell && spellOutage ? rng.below(10) < 6 : rng.below(2000) == 0
            value = down ? 0 : 1
            decimals = 0
        } else {  // dvc.queue_depth
            name = 3
            value = (5 + 60 * demand) * (0.7 + 0.6 * rng.unit())
            if inSpell { value += 150 + 100 * rng.unit() }
            decimals = 0
        }
        t.metricHead.write(into: &out)
        writeStamp(lateAllowed: true, into: &out)
        t.metricMiddle[name].write(into: &out)
        if decimals == 0 {
            Digits.int(Int(value), into: &out)
        } else {
            Digits.fixed(value, decimals: 1, into: &out)
        }
        t.metricTail[name].write(into: &out)
    }

    // MARK: - Security

    private mutating func writeSecurity(into out: inout [UInt8]) {
        if burstLeft == 0, clock >= nextBurstAt {
            burstLeft = 5 + rng.below(4)
            burstDistrict = rng.below(t.districtCount)
            nextBurstAt = clock + seconds(rng.exponential(t) * 360)
        }
        let district: Int
        let type: Int
        var severity: Int
        let sensorSlot: Int
        if burstLeft > 0 {
            burstLeft -= 1
            district = burstDistrict
            sensorSlot = rng.below(min(securityPerDistrict, FeedTables.camerasPerDistrict))
            type = Int(t.burstTypes[rng.below(8)])
            severity = 3 + rng.below(3)
        } else {
            // Round robin over the active sensors, district by district, so each reports regularly.
            let districts = t.districtCount
            district = securityCursor % districts
            sensorSlot = securityCursor / districts
            securityCursor += 1
            if securityCursor == districts * securityPerDistrict { securityCursor = 0 }
            if sensorSlot >= FeedTables.camerasPerDistrict {
                type = Int(t.alarmTypes[Int(rng.next() >> 56)])
            } else {
                type = Int(t.cameraTypes[Int(rng.next() >> 56)])
            }
            severity = Int(t.severities[type &* 8 &+ rng.below(8)])
        }
        let sensor = t.securitySensors[district &* FeedTables.securityPerDistrict &+ sensorSlot]
        t.securityHead.write(into: &out)
        writeStamp(lateAllowed: true, into: &out)
        sensor.write(into: &out)
        t.securityTypeNames[type].write(into: &out)
        if severity == 3, rng.below(10) == 0 {
            t.closeLine.write(into: &out)  // default severity 3
        } else {
            t.severityKey.write(into: &out)
            severity = max(1, min(5, severity))
            out.append(UInt8(truncatingIfNeeded: severity) &+ 0x30)
            t.closeLine.write(into: &out)
        }
    }

    // MARK: - Field reports

    private mutating func writeReport(into out: inout [UInt8]) {
        if let p = reportQueues.popDue(clock) {
            writeReportStep(p, into: &out)
            return
        }
        if let last = lastNew, rng.below(33) == 0 {
            writeNew(last, into: &out)
            return
        }
        reportSeq &+= 1
        let r = NewReport(
            seq: reportSeq,
            district: UInt8(rng.below(t.districtCount)),
            category: t.categoryPick[Int(rng.next() >> 56)],
            variant: t.variantPick[Int(rng.next() >> 56)],
            textPick: UInt32(truncatingIfNeeded: rng.next() >> 32),
            latJitter: Float(rng.normal(t) * 0.008), lonJitter: Float(rng.normal(t) * 0.008),
            extras: UInt32(truncatingIfNeeded: rng.next()))
        lastNew = r
        writeNew(r, into: &out)
        // Plan the lifecycle.
        let cat = Int(r.category)
        let sla = Double(t.categorySLA[cat])
        let assignAt = clock + seconds(120 + rng.unit() * 3480)
        let outcome = rng.below(100)
        var p = Pending(seq: r.seq, district: r.district, category: r.category)
        if outcome < 75 {
            let share = 0.45 * t.logNormalWide[Int(rng.next() >> 52)]
            p.finalAt = max(assignAt + 60_000_000_000, clock + Int64(sla * share))
            p.finalStep = 2
        } else if outcome < 83 {
            p.finalAt = assignAt + seconds(600 + rng.unit() * 20_000)
            p.finalStep = 3
        }
        if outcome < 95 || p.finalStep != 0 {
            p.step = 1
            p.at = assignAt
            reportQueues.push(p, now: clock)
        }
    }

    private mutating func writeNew(_ r: NewReport, into out: inout [UInt8]) {
        let d = Int(r.district)
        t.reportHead.write(into: &out)
        writeStamp(lateAllowed: false, into: &out)
        t.districtMember[d].write(into: &out)
        writeReportID(r.seq, into: &out)
        t.statusNew.write(into: &out)
        let group = (d &* t.categoryCount &+ Int(r.category)) &* FeedTables.variantCount &+ Int(r.variant)
        let first = Int(t.textGroupStart[group])
        let count = UInt32(t.textGroupStart[group &+ 1]) &- UInt32(first)
        t.texts[first &+ Int(r.textPick % count)].write(into: &out)
        let x = r.extras
        if x & 0x3FF < 102 {  // 10 % carry their category code
            t.categoryMember[Int(r.category)].write(into: &out)
        } else if x & 0x3FF < 112 {  // 1 % an unknown code
            t.unknownCategoryMember.write(into: &out)
        }
        if (x >> 10) & 0xF < 14 {
            t.latKey.write(into: &out)
            Digits.fixed(t.districtLat[d] + Double(r.latJitter), decimals: 6, into: &out)
            t.lonKey.write(into: &out)
            Digits.fixed(t.districtLon[d] + Double(r.lonJitter), decimals: 6, into: &out)
        }
        t.channelMember[Int(t.channelPick[Int((x >> 14) & 0xFF)])].write(into: &out)
        if (x >> 22) & 0x3 != 0 {
            t.photosKey.write(into: &out)
            out.append(UInt8(truncatingIfNeeded: (x >> 24) % 5) &+ 0x30)
        }
        t.closeLine.write(into: &out)
    }

    private mutating func writeReportStep(_ p: Pending, into out: inout [UInt8]) {
        t.reportHead.write(into: &out)
        writeStamp(lateAllowed: false, into: &out)
        t.districtMember[Int(p.district)].write(into: &out)
        writeReportID(p.seq, into: &out)
        switch p.step {
        case 1:
            t.statusAssigned.write(into: &out)
            t.reportAgency[Int(p.category)].write(into: &out)
            if p.finalStep != 0 {
                var q = p
                q.step = q.finalStep
                q.at = max(q.finalAt, clock + 60_000_000_000)
                reportQueues.push(q, now: clock)
            }
        case 2: t.statusResolved.write(into: &out)
        default: t.statusRejected.write(into: &out)
        }
    }

    private func writeReportID(_ seq: UInt32, into out: inout [UInt8]) {
        t.idKey.write(into: &out)
        Digits.int(Int(reportYear), into: &out)
        out.append(0x2D)
        Digits.padded(Int(seq), width: 6, into: &out)
        out.append(0x22)
    }

    // MARK: - Services

    private mutating func writeService(into out: inout [UInt8]) {
        if let p = dossierQueues.popDue(clock) {
            writeDossierStep(p, into: &out)
            return
        }
        dossierSeq &+= 1
        let proc = rng.below(t.procedureCount)
        let hours = t.procedureHours[proc]
        let due = clock + Int64(hours) * 3_600_000_000_000
        let channel = Int(t.dossierChannelPick[Int(rng.next() >> 56)])
        let district = rng.below(t.districtCount)
        let localDays = Self.floorDiv(Self.floorDiv(clock, 1_000_000_000) + 7 * 3600, 86_400)
        var p = Pending(seq: dossierSeq, district: UInt8(district), category: UInt8(proc))
        p.day = Int32(truncatingIfNeeded: localDays)
        p.due = due
        p.channel = UInt8(channel)

        t.serviceHead.write(into: &out)
        writeStamp(lateAllowed: false, into: &out)
        p.hasDistrict = channel != 0 || rng.below(2) == 0  // online submissions often have no district
        if p.hasDistrict {
            t.districtMember[district].write(into: &out)
        } else {
            out.append(0x22)  // closes `ts`
        }
        writeDossierID(p, into: &out)
        t.eventReceived.write(into: &out)
        t.procedureMembers[proc].write(into: &out)
        t.dossierChannelMember[channel].write(into: &out)
        t.dueKey.write(into: &out)
        stamp.write(due - Self.floorMod(due, 1_000_000_000), utc: false, millis: false, into: &out)
        out.append(0x22)
        t.closeLine.write(into: &out)

        let span = Double(due - clock)
        let outcome = rng.below(100)
        if outcome < 85 {
            p.step = 1
            let late = rng.below(5) == 0
            p.at =
                late ? due + Int64(span * (0.05 + 0.55 * rng.unit())) : clock + Int64(span * (0.15 + 0.8 * rng.unit()))
            p.finalStep = rng.below(10) < 3 ? 1 : 0  // 1 = repeat `due` on the resolved line
            dossierQueues.push(p, now: clock)
        } else if outcome < 95 {
            p.step = 2
            p.at = clock + Int64(span * (0.05 + 0.5 * rng.unit()))
            dossierQueues.push(p, now: clock)
        }
    }

    private mutating func writeDossierStep(_ p: Pending, into out: inout [UInt8]) {
        t.serviceHead.write(into: &out)
        writeStamp(lateAllowed: false, into: &out)
        if p.hasDistrict {
            t.districtMember[Int(p.district)].write(into: &out)
        } else {
            out.append(0x22)  // closes `ts`
        }
        writeDossierID(p, into: &out)
        (p.step == 1 ? t.eventResolved : t.eventReturned).write(into: &out)
        t.procedureAgencyOnly[Int(p.category)].write(into: &out)
        if p.step == 1, p.finalStep == 1 {
            t.dueKey.write(into: &out)
            stamp.write(p.due - Self.floorMod(p.due, 1_000_000_000), utc: false, millis: false, into: &out)
            out.append(0x22)
        }
        t.closeLine.write(into: &out)
    }

    private func writeDossierID(_ p: Pending, into out: inout [UInt8]) {
        t.dossierKey.write(into: &out)
        t.dossierPrefix[Int(p.category)].write(into: &out)
        let (y, m, d) = Timestamp.civilFromDays(Int64(p.day))
        Digits.two(Int(y % 100), into: &out)
        Digits.two(Int(m), into: &out)
        Digits.two(Int(d), into: &out)
        out.append(0x2D)
        Digits.padded(Int(p.seq), width: 6, into: &out)
        out.append(0x22)
    }

    // MARK: - Bad lines

    private mutating func writeBad(into out: inout [UInt8]) {
        let b = t.badLines[rng.below(t.badLineCount)]
        b.prefix.write(into: &out)
        let bits = rng.next()
        var ts = clock - Self.floorMod(clock, 1_000_000_000)
        if ts < options.start { ts = options.start }
        lastTimestamp = clock
        switch b.stamp {
        case .none: break
        case .valid:
            stamp.write(ts, utc: bits & 1 == 0, millis: false, into: &out)
        case .spaceSeparated:
            let at = out.count + 10
            stamp.write(ts, utc: false, millis: false, into: &out)
            out[at] = 0x20
        case .noOffset:
            stamp.write(ts, utc: true, millis: false, into: &out)
            out.removeLast()  // the "Z"
        case .impossibleDate:
            let at = out.count + 5
            stamp.write(ts, utc: true, millis: false, into: &out)
            out[at] = 0x31  // month 1x
            out[at + 1] = 0x33  // month 13
        case .epochSeconds:
            Digits.int(Int(Self.floorDiv(ts, 1_000_000_000)), into: &out)
        }
        b.suffix.write(into: &out)
    }
}

// MARK: - Lifecycle bookkeeping

extension FeedGenerator {
    /// The next step of a report or dossier lifecycle.
    struct Pending {
        var seq: UInt32
        var district: UInt8
        /// Report category index, or dossier procedure index.
        var category: UInt8
        /// Report: 1 assigned, 2 resolved, 3 rejected. Dossier: 1 resolved, 2 returned.
        var step: UInt8 = 0
        /// Report: the step after `assigned` (0 none). Dossier: 1 when `resolved` repeats `due`.
        var finalStep: UInt8 = 0
        /// Dossier channel index (0 online).
        var channel: UInt8 = 0
        /// Dossier: whether its lines name a district.
        var hasDistrict = true
        /// Dossier: local day of receipt (for the id).
        var day: Int32 = 0
        /// When the step is due, event time.
        var at: Int64 = 0
        /// Report: when the final step is due.
        var finalAt: Int64 = 0
        /// Dossier `due`.
        var due: Int64 = 0

        init(seq: UInt32, district: UInt8, category: UInt8) {
            self.seq = seq
            self.district = district
            self.category = category
        }
    }
}

extension FeedGenerator {
    /// Pending steps in FIFO rings by delay class, so "is anything due?" looks at 14 heads.
    ///
    /// Class k holds steps whose delay was under 2^k whole minutes (class 13 everything longer). Within a class a step
    /// waits at most for the one ahead of it, which is due less than twice its own delay away, so delays stay
    /// roughly as planned. Each ring holds at most `capacity`; pushing into a full one drops its oldest step.
    struct LifecycleQueues {
        static let classes = 14
        /// Steps a ring holds: enough for every lifecycle of a day at the default density (8192, the bound
        /// before, dropped half the assignments of a 1.7-million-line feed: none came after 32 minutes).
        static let capacity = 1 << 18
        private var rings: [PendingRing]

        init() {
            rings = (0..<Self.classes).map { _ in PendingRing() }
        }

        /// - Complexity: O(1) amortized; allocates only while a ring doubles towards its bound.
        mutating func push(_ p: Pending, now: Int64) {
            let minutes = UInt64(max(0, p.at - now) / 60_000_000_000)
            let k = min(Self.classes - 1, 64 - minutes.leadingZeroBitCount)
            rings[k].push(p, capacity: Self.capacity)
        }

        /// The due step with the earliest time among the ring heads, removed; nil when none is due.
        /// - Complexity: O(classes); does not allocate.
        mutating func popDue(_ now: Int64) -> Pending? {
            var best = -1
            var bestAt = Int64.max
            for k in 0..<Self.classes {
                if let at = rings[k].headAt, at <= now, at < bestAt {
                    best = k
                    bestAt = at
                }
            }
            return best < 0 ? nil : rings[best].pop()
        }
    }
}

extension FeedGenerator {
    /// A growable ring with a bound: when full at the bound, pushing overwrites the oldest element.
    struct PendingRing {
        private var storage: [Pending] = []
        private var head = 0
        private(set) var count = 0

        var headAt: Int64? { count == 0 ? nil : storage[head].at }

        mutating func push(_ p: Pending, capacity: Int) {
            if count == storage.count {
                if storage.count < capacity {
                    // The ring's size is chosen here, not by the allocator (which may round a reservation up):
                    // the same options must drop the same steps, so the feed stays the same bytes.
                    let size = min(capacity, max(16, storage.count * 2))
                    var grown: [Pending] = []
                    grown.reserveCapacity(size)
                    for i in 0..<count { grown.append(storage[(head + i) % storage.count]) }
                    grown.append(p)
                    while grown.count < size { grown.append(p) }  // filler, never read
                    storage = grown
                    head = 0
                    count += 1
                    return
                }
                // Full at the bound: drop the oldest.
                storage[head] = p
                head = (head + 1) % storage.count
                return
            }
            storage[(head + count) % storage.count] = p
            count += 1
        }

        mutating func pop() -> Pending {
            let p = storage[head]
            head = (head + 1) % storage.count
            count -= 1
            return p
        }
    }
}

extension FeedGenerator {
    /// A field report's `new`, kept so a duplicate can repeat it.
    struct NewReport {
        var seq: UInt32
        var district: UInt8
        var category: UInt8
        var variant: UInt8
        var textPick: UInt32
        var latJitter: Float
        var lonJitter: Float
        var extras: UInt32
    }
}

// MARK: - Randomness

extension FeedGenerator {
    /// xoshiro256** (Blackman and Vigna), seeded through SplitMix64: small, fast, and the same everywhere.
    struct Xoshiro256 {
        private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

        init(seed: UInt64) {
            var x = seed
            func splitMix() -> UInt64 {
                x &+= 0x9E37_79B9_7F4A_7C15
                var z = x
                z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
                z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
                return z ^ (z >> 31)
            }
            s0 = splitMix()
            s1 = splitMix()
            s2 = splitMix()
            s3 = splitMix()
        }

        @inline(__always)
        mutating func next() -> UInt64 {
            let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
            let t = s1 << 17
            s2 ^= s0
            s3 ^= s1
            s1 ^= s2
            s0 ^= s3
            s2 ^= t
            s3 = s3 << 45 | s3 >> 19
            return result
        }

        /// Uniform in 0..<n (n > 0), by multiply-high.
        @inline(__always)
        mutating func below(_ n: Int) -> Int {
            Int(truncatingIfNeeded: next().multipliedFullWidth(by: UInt64(n)).high)
        }

        /// Uniform in [0, 1).
        @inline(__always)
        mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

        /// Exponential with mean 1 (from a 4096-quantile table).
        @inline(__always)
        mutating func exponential(_ t: FeedTables) -> Double { t.exponential[Int(next() >> 52)] }

        /// Standard normal (from a 4096-quantile table).
        @inline(__always)
        mutating func normal(_ t: FeedTables) -> Double { t.normal[Int(next() >> 52)] }
    }
}

// MARK: - Raw tables

extension FeedGenerator {
    /// Pre-rendered bytes in storage that is never freed: a pointer and a count, so copying one costs no
    /// reference counting.
    struct Bytes: @unchecked Sendable {
        let base: UnsafePointer<UInt8>
        let count: Int

        init(_ bytes: [UInt8]) {
            let p = UnsafeMutablePointer<UInt8>.allocate(capacity: max(1, bytes.count))
            p.initialize(from: bytes, count: bytes.count)
            base = UnsafePointer(p)
            count = bytes.count
        }

        init(_ text: String) { self.init(Array(text.utf8)) }

        /// - Complexity: O(count); does not allocate once `out` has room.
        @inline(__always)
        func write(into out: inout [UInt8]) {
            out.append(contentsOf: UnsafeBufferPointer(start: base, count: count))
        }
    }
}

extension FeedGenerator {
    /// A fixed array of plain values in storage that is never freed (see ``Bytes``).
    struct Table<Element>: @unchecked Sendable {
        let base: UnsafePointer<Element>
        let count: Int

        init(_ elements: [Element]) {
            let p = UnsafeMutablePointer<Element>.allocate(capacity: max(1, elements.count))
            p.initialize(from: elements, count: elements.count)
            base = UnsafePointer(p)
            count = elements.count
        }

        @inline(__always)
        subscript(i: Int) -> Element {
            assert(i >= 0 && i < count, "table index out of range")
            return base[i]
        }
    }
}

// MARK: - Digits and timestamps

extension FeedGenerator {
    enum Digits {
        /// "00" … "99".
        nonisolated(unsafe) static let pairs: UnsafePointer<UInt8> = {
            var p: [UInt8] = []
            for i in 0..<100 {
                p.append(UInt8(i / 10) + 0x30)
                p.append(UInt8(i % 10) + 0x30)
            }
            return Bytes(p).base
        }()

        @inline(__always)
        static func two(_ v: Int, into out: inout [UInt8]) {
            out.append(UInt8(truncatingIfNeeded: v / 10) &+ 0x30)
            out.append(UInt8(truncatingIfNeeded: v % 10) &+ 0x30)
        }

        /// Decimal digits of `v`.
        /// - Complexity: O(digits); does not allocate once `out` has room.
        @inline(__always)
        static func int(_ v: Int, into out: inout [UInt8]) {
            if v < 0 {
                out.append(0x2D)
                unsigned(UInt64(0 &- v), minDigits: 1, into: &out)
            } else {
                unsigned(UInt64(v), minDigits: 1, into: &out)
            }
        }

        /// `v` with at least `width` digits (leading zeros).
        @inline(__always)
        static func padded(_ v: Int, width: Int, into out: inout [UInt8]) {
            unsigned(UInt64(max(0, v)), minDigits: width, into: &out)
        }

        /// Digits of `v`, at least `minDigits` (≤ 20) of them, formatted on the stack and appended at once.
        @inline(__always)
        static func unsigned(_ v: UInt64, minDigits: Int, into out: inout [UInt8]) {
            var buffer: (UInt64, UInt64, UInt64) = (0, 0, 0)
            withUnsafeMutableBytes(of: &buffer) { raw in
                let b = raw.baseAddress!.assumingMemoryBound(to: UInt8.self)
                var i = 24
                var x = v
                repeat {
                    i &-= 1
                    b[i] = UInt8(truncatingIfNeeded: x % 10) &+ 0x30
                    x /= 10
                } while x != 0 || 24 &- i < minDigits
                out.append(contentsOf: UnsafeBufferPointer(start: b + i, count: 24 &- i))
            }
        }

        /// `v` rounded to 1, 2, 3 or 6 fraction digits, always with a point (`31.0`, `0.27`).
        @inline(__always)
        static func fixed(_ v: Double, decimals: Int, into out: inout [UInt8]) {
            let scale: UInt64 = decimals == 1 ? 10 : decimals == 2 ? 100 : decimals == 6 ? 1_000_000 : 1000
            var scaled = (v * Double(scale)).rounded()
            if scaled < 0 {
                out.append(0x2D)
                scaled = -scaled
            }
            let n = UInt64(scaled)
            var buffer: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
            withUnsafeMutableBytes(of: &buffer) { raw in
                let b = raw.baseAddress!.assumingMemoryBound(to: UInt8.self)
                var i = 32
                var x = n
                for _ in 0..<decimals {
                    i &-= 1
                    b[i] = UInt8(truncatingIfNeeded: x % 10) &+ 0x30
                    x /= 10
                }
                i &-= 1
                b[i] = 0x2E
                repeat {
                    i &-= 1
                    b[i] = UInt8(truncatingIfNeeded: x % 10) &+ 0x30
                    x /= 10
                } while x != 0
                out.append(contentsOf: UnsafeBufferPointer(start: b + i, count: 32 &- i))
            }
        }
    }
}

extension FeedGenerator {
    /// Writes RFC 3339 timestamps in `Z` or `+07:00`, caching the date part of the last day of each.
    struct StampWriter {
        private var cachedDay: (utc: Int64, local: Int64) = (.min, .min)
        /// "YYYY-MM-DDT" packed little-endian: 8 bytes and 3 bytes.
        private var date: (utc: (UInt64, UInt32), local: (UInt64, UInt32)) = ((0, 0), (0, 0))
        private let pairs = Digits.pairs

        /// - Complexity: O(1); does not allocate once `out` has room (a day change rebuilds a 10-byte cache entry).
        @inline(__always)
        mutating func write(_ ns: Int64, utc: Bool, millis: Bool, into out: inout [UInt8]) {
            let local = utc ? ns : ns &+ 7 * 3_600_000_000_000
            let secs = FeedGenerator.floorDiv(local, 1_000_000_000)
            let days = FeedGenerator.floorDiv(secs, 86_400)
            let sod = Int(secs - days * 86_400)
            let packed: (UInt64, UInt32)
            if utc {
                if days != cachedDay.utc {
                    cachedDay.utc = days
                    date.utc = Self.render(days)
                }
                packed = date.utc
            } else {
                if days != cachedDay.local {
                    cachedDay.local = days
                    date.local = Self.render(days)
                }
                packed = date.local
            }
            // Build the whole stamp (≤ 30 bytes) on the stack, then append it at once.
            var buffer: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
            withUnsafeMutableBytes(of: &buffer) { raw in
                raw.storeBytes(of: packed.0.littleEndian, toByteOffset: 0, as: UInt64.self)
                raw.storeBytes(of: packed.1.littleEndian, toByteOffset: 8, as: UInt32.self)
                let b = raw.baseAddress!.assumingMemoryBound(to: UInt8.self)
                let h = sod / 3600 &* 2
                let m = sod / 60 % 60 &* 2
                let s = sod % 60 &* 2
                b[11] = pairs[h]
                b[12] = pairs[h &+ 1]
                b[13] = 0x3A
                b[14] = pairs[m]
                b[15] = pairs[m &+ 1]
                b[16] = 0x3A
                b[17] = pairs[s]
                b[18] = pairs[s &+ 1]
                var n = 19
                if millis {
                    let ms = Int(FeedGenerator.floorMod(local, 1_000_000_000) / 1_000_000)
                    b[19] = 0x2E
                    b[20] = UInt8(truncatingIfNeeded: ms / 100) &+ 0x30
                    b[21] = pairs[ms % 100 &* 2]
                    b[22] = pairs[ms % 100 &* 2 &+ 1]
                    n = 23
                }
                if utc {
                    b[n] = 0x5A
                    n &+= 1
                } else {
                    b[n] = 0x2B  // +07:00
                    b[n &+ 1] = 0x30
                    b[n &+ 2] = 0x37
                    b[n &+ 3] = 0x3A
                    b[n &+ 4] = 0x30
                    b[n &+ 5] = 0x30
                    n &+= 6
                }
                out.append(contentsOf: UnsafeBufferPointer(start: b, count: n))
            }
        }

        /// "YYYY-MM-DDT" of a day count, packed.
        private static func render(_ days: Int64) -> (UInt64, UInt32) {
            let (y, m, d) = Timestamp.civilFromDays(days)
            var out: [UInt8] = []
            out.reserveCapacity(11)
            Digits.padded(Int(y), width: 4, into: &out)
            out.append(0x2D)
            Digits.two(Int(m), into: &out)
            out.append(0x2D)
            Digits.two(Int(d), into: &out)
            out.append(0x54)
            out.append(0)
            var a: UInt64 = 0
            var b: UInt32 = 0
            for i in 0..<8 { a |= UInt64(out[i]) << (8 * UInt64(i)) }
            for i in 0..<4 { b |= UInt32(out[8 + i]) << (8 * UInt32(i)) }
            return (a, b)
        }
    }
}

// MARK: - Tables

extension FeedGenerator {
    /// Everything constant about the simulated city, pre-rendered as JSON bytes once per process.
    ///
    /// Immutable after `init`. The tables live in raw storage that is never freed (there is one instance, `shared`,
    /// for the life of the process), so the generator reads them without reference counting.
    final class FeedTables: @unchecked Sendable {
        static let shared = FeedTables()
        static let securityPerDistrict = 8
        static let camerasPerDistrict = 6
        static let variantCount = 4

        struct District {
            var name: String
            var code: String
            var lat: Double
            var lon: Double
            var streets: [String]
        }

        static let districts: [District] = [
            District(
                name: "Ba Đình", code: "BD", lat: 21.0358, lon: 105.8190,
                streets: [
                    "Điện Biên Phủ", "Hoàng Diệu", "Phan Đình Phùng", "Kim Mã", "Liễu Giai", "Đội Cấn", "Giảng Võ",
                    "Nguyễn Thái Học", "Văn Cao", "Quán Thánh", "Hùng Vương", "Ngọc Hà",
                ]),
            District(
                name: "Hoàn Kiếm", code: "HK", lat: 21.0285, lon: 105.8542,
                streets: [
                    "Đinh Tiên Hoàng", "Tràng Tiền", "Hàng Bài", "Lê Thái Tổ", "Hàng Đào", "Hàng Ngang",
                    "Trần Hưng Đạo",
                    "Lý Thường Kiệt", "Phố Huế", "Hàng Bông", "Bà Triệu", "Quang Trung", "Tràng Thi",
                ]),
            District(
                name: "Tây Hồ", code: "TH", lat: 21.0700, lon: 105.8190,
                streets: [
                    "Lạc Long Quân", "Âu Cơ", "Xuân Diệu", "Thụy Khuê", "Võ Chí Công", "Nghi Tàm", "Tô Ngọc Vân",
                    "Đặng Thai Mai", "Quảng An", "Yên Phụ", "Trích Sài",
                ]),
            District(
                name: "Long Biên", code: "LB", lat: 21.0380, lon: 105.8890,
                streets: [
                    "Nguyễn Văn Cừ", "Ngọc Lâm", "Nguyễn Sơn", "Ngô Gia Tự", "Cổ Linh", "Nguyễn Văn Linh", "Thạch Bàn",
                    "Phúc Lợi", "Sài Đồng", "Hồng Tiến", "Bồ Đề", "Vũ Xuân Thiều",
                ]),
            District(
                name: "Cầu Giấy", code: "CG", lat: 21.0362, lon: 105.7906,
                streets: [
                    "Cầu Giấy", "Xuân Thủy", "Hồ Tùng Mậu", "Trần Duy Hưng", "Nguyễn Khánh Toàn", "Hoàng Quốc Việt",
                    "Trần Đăng Ninh", "Nguyễn Phong Sắc", "Duy Tân", "Trần Thái Tông", "Dương Đình Nghệ", "Phạm Hùng",
                    "Nguyễn Văn Huyên",
                ]),
            District(
                name: "Đống Đa", code: "DD", lat: 21.0181, lon: 105.8292,
                streets: [
                    "Tôn Đức Thắng", "Nguyễn Lương Bằng", "Tây Sơn", "Chùa Bộc", "Thái Hà", "Láng Hạ", "Xã Đàn",
                    "Đê La Thành", "Kim Liên", "Láng", "Nguyễn Chí Thanh", "Hoàng Cầu", "Khâm Thiên",
                ]),
            District(
                name: "Hai Bà Trưng", code: "HBT", lat: 21.0060, lon: 105.8570,
                streets: [
                    "Bạch Mai", "Minh Khai", "Lò Đúc", "Trần Khát Chân", "Đại Cồ Việt", "Phố Vọng", "Thanh Nhàn",
                    "Kim Ngưu", "Nguyễn Khoái", "Lê Đại Hành", "Trần Đại Nghĩa", "Tạ Quang Bửu",
                ]),
            District(
                name: "Hoàng Mai", code: "HM", lat: 20.9810, lon: 105.8630,
                streets: [
                    "Giải Phóng", "Tam Trinh", "Lĩnh Nam", "Nguyễn Hữu Thọ", "Kim Giang", "Tân Mai", "Định Công",
                    "Trương Định", "Hoàng Mai", "Vĩnh Hưng", "Nguyễn Đức Cảnh", "Kim Đồng",
                ]),
            District(
                name: "Thanh Xuân", code: "TX", lat: 20.9930, lon: 105.8110,
                streets: [
                    "Nguyễn Trãi", "Khuất Duy Tiến", "Lê Văn Lương", "Nguyễn Tuân", "Vũ Trọng Phụng", "Khương Đình",
                    "Nguyễn Xiển", "Nguyễn Huy Tưởng", "Hoàng Văn Thái", "Quan Nhân", "Lê Trọng Tấn", "Cự Lộc",
                ]),
            District(
                name: "Nam Từ Liêm", code: "NTL", lat: 21.0120, lon: 105.7650,
                streets: [
                    "Mễ Trì", "Lê Quang Đạo", "Đại lộ Thăng Long", "Trần Hữu Dực", "Hàm Nghi", "Nguyễn Cơ Thạch",
                    "Lê Đức Thọ", "Mỹ Đình", "Châu Văn Liêm", "Phương Canh", "Xuân Phương", "Tây Mỗ",
                ]),
            District(
                name: "Bắc Từ Liêm", code: "BTL", lat: 21.0700, lon: 105.7620,
                streets: [
                    "Phạm Văn Đồng", "Hoàng Công Chất", "Cổ Nhuế", "Đông Ngạc", "Tân Xuân", "Văn Tiến Dũng", "Phú Diễn",
                    "Thụy Phương", "Đức Thắng", "Xuân Đỉnh", "Kẻ Vẽ", "Đức Diễn",
                ]),
            District(
                name: "Hà Đông", code: "HD", lat: 20.9710, lon: 105.7780,
                streets: [
                    "Tố Hữu", "Vạn Phúc", "Phùng Hưng", "Lê Lợi", "Nguyễn Văn Lộc", "Văn Quán", "Yên Nghĩa", "Ba La",
                    "Hà Cầu", "Mỗ Lao", "Nguyễn Khuyến", "Văn Phú",
                ]),
        ]

        struct SecurityType {
            var name: String
            /// Background severities, picked uniformly.
            var severities: [Int]
        }

        static let securityTypes: [SecurityType] = [
            SecurityType(name: "loitering", severities: [1, 1, 2, 2]),  // 0
            SecurityType(name: "crowd", severities: [1, 2, 2, 2]),  // 1
            SecurityType(name: "camera_offline", severities: [2]),  // 2
            SecurityType(name: "intrusion", severities: [1, 2, 2, 2]),  // 3
            SecurityType(name: "tamper", severities: [2]),  // 4
            SecurityType(name: "fight", severities: [2, 2, 2, 3]),  // 5
            SecurityType(name: "weapon", severities: [5]),  // 6
            SecurityType(name: "smoke", severities: [3, 4]),  // 7
            SecurityType(name: "fire", severities: [4, 5]),  // 8
        ]

        struct Procedure {
            var agency: String
            var agencyCode: Int
            var name: String
            var hours: Int
        }

        static let procedures: [Procedure] = [
            Procedure(agency: "Sở Tư pháp", agencyCode: 12, name: "Cấp phiếu lý lịch tư pháp", hours: 240),
            Procedure(agency: "Sở Tư pháp", agencyCode: 12, name: "Chứng thực bản sao từ bản chính", hours: 4),
            Procedure(agency: "Sở Xây dựng", agencyCode: 21, name: "Cấp giấy phép xây dựng nhà ở riêng lẻ", hours: 360),
            Procedure(agency: "Sở Giao thông Vận tải", agencyCode: 19, name: "Cấp đổi giấy phép lái xe", hours: 120),
            Procedure(
                agency: "Sở Kế hoạch và Đầu tư", agencyCode: 15, name: "Đăng ký thành lập doanh nghiệp", hours: 72),
            Procedure(
                agency: "Sở Tài nguyên và Môi trường", agencyCode: 25, name: "Đăng ký biến động đất đai", hours: 240),
            Procedure(
                agency: "Sở Lao động - Thương binh và Xã hội", agencyCode: 17, name: "Cấp giấy phép lao động",
                hours: 120),
            Procedure(agency: "UBND phường", agencyCode: 30, name: "Đăng ký khai sinh", hours: 8),
            Procedure(agency: "UBND phường", agencyCode: 30, name: "Đăng ký kết hôn", hours: 24),
            Procedure(agency: "Công an thành phố", agencyCode: 40, name: "Đăng ký thường trú", hours: 168),
        ]

        struct Segment {
            var freeSpeed: Double
            var congestion: Double
            /// Vehicles per interval at full demand.
            var capacity: Double
        }

        enum BadStamp { case none, valid, spaceSeparated, noOffset, impossibleDate, epochSeconds }

        struct BadLine {
            var prefix: Bytes
            var stamp: BadStamp
            var suffix: Bytes
        }

        let exponential: Table<Double>
        let normal: Table<Double>
        /// exp(0.55 z): response-time multipliers, median 1.
        let logNormal: Table<Double>
        /// exp(0.8 z): resolve-time shares, median 1.
        let logNormalWide: Table<Double>
        /// Demand 0.15…1 per quarter hour of the local day.
        let demand: Table<Double>

        let segments: Table<Segment>
        let segmentCount: Int
        let sensorCount: Int
        let sensorSegment: Table<Int32>
        let sensorHasOccupancy: Table<Bool>
        /// `","district":"…","sensor":"…","segment":"…","vehicles":`
        let sensorMiddle: Table<Bytes>
        /// `,"interval_s":60}\n` or `}\n`
        let sensorTail: Table<Bytes>
        /// A fixed shuffle of the sensor indices; the first `activeSensors` report.
        let sensorOrder: Table<Int32>
        let districtCount: Int
        let districtLat: Table<Double>
        let districtLon: Table<Double>

        let trafficHead = Bytes("{\"kind\":\"traffic\",\"ts\":\"")
        let speedKey = Bytes(",\"speed_kmh\":")
        let occupancyKey = Bytes(",\"occupancy\":")
        let closeLine = Bytes("}\n")

        let metricHead = Bytes("{\"kind\":\"metric\",\"ts\":\"")
        let metricMiddle: Table<Bytes>
        let metricTail: Table<Bytes>

        let securityHead = Bytes("{\"kind\":\"security\",\"ts\":\"")
        /// `","district":"…","sensor":"…","type":"` per district × slot.
        let securitySensors: Table<Bytes>
        /// `name"`
        let securityTypeNames: Table<Bytes>
        let severityKey = Bytes(",\"severity\":")
        /// 256-entry pick tables of type indices.
        let cameraTypes: Table<UInt8>
        let alarmTypes: Table<UInt8>
        let burstTypes = Table<UInt8>([5, 5, 1, 3, 3, 6, 8, 7])
        /// 8 background severities per type, picked uniformly.
        let severities: Table<UInt8>

        let reportHead = Bytes("{\"kind\":\"field_report\",\"ts\":\"")
        /// `","district":"…"`
        let districtMember: Table<Bytes>
        let idKey = Bytes(",\"id\":\"PA-")
        let statusNew = Bytes(",\"status\":\"new\"")
        let statusAssigned = Bytes(",\"status\":\"assigned\"")
        let statusResolved = Bytes(",\"status\":\"resolved\"}\n")
        let statusRejected = Bytes(",\"status\":\"rejected\"}\n")
        /// `,"agency":"…"}\n` per category.
        let reportAgency: Table<Bytes>
        /// `,"category":"…"` per category.
        let categoryMember: Table<Bytes>
        let unknownCategoryMember = Bytes(",\"category\":\"noise_pollution\"")
        /// SLA per category, ns.
        let categorySLA: Table<Int64>
        let categoryCount: Int
        /// `,"text":"…"`, grouped by district × category × variant; group g is `textGroupStart[g]..<[g + 1]`.
        let texts: Table<Bytes>
        let textGroupStart: Table<Int32>
        let categoryPick: Table<UInt8>
        let variantPick: Table<UInt8>
        let latKey = Bytes(",\"lat\":")
        let lonKey = Bytes(",\"lon\":")
        let channelMember: Table<Bytes>
        let channelPick: Table<UInt8>
        let photosKey = Bytes(",\"photos\":")

        let serviceHead = Bytes("{\"kind\":\"service\",\"ts\":\"")
        let dossierKey = Bytes(",\"dossier\":\"")
        /// `000.00.12.H26-` per procedure.
        let dossierPrefix: Table<Bytes>
        let eventReceived = Bytes(",\"event\":\"received\"")
        let eventResolved = Bytes(",\"event\":\"resolved\"")
        let eventReturned = Bytes(",\"event\":\"returned\"")
        /// `,"agency":"…","procedure":"…"` per procedure.
        let procedureMembers: Table<Bytes>
        /// `,"agency":"…"` per procedure.
        let procedureAgencyOnly: Table<Bytes>
        let dossierChannelMember: Table<Bytes>
        let dossierChannelPick: Table<UInt8>
        let procedureCount: Int
        let procedureHours: Table<Int>
        let dueKey = Bytes(",\"due\":\"")

        let badLines: Table<BadLine>
        let badLineCount: Int

        private init() {
            var rng = Xoshiro256(seed: 0x10C_5EED)

            // Quantile tables (midpoints of 4096 equal-probability bins).
            let n = 4096
            var expo = (0..<n).map { -log((Double($0) + 0.5) / Double(n)) }
            let meanExp = expo.reduce(0, +) / Double(n)
            expo = expo.map { $0 / meanExp }
            exponential = Table(expo)
            let norm = (0..<n).map { Self.inverseNormal((Double($0) + 0.5) / Double(n)) }
            normal = Table(norm)
            logNormal = Table(norm.map { exp(0.55 * $0) })
            logNormalWide = Table(norm.map { exp(0.8 * $0) })

            // Demand by local quarter hour: night low, peaks 07–09 and 17–19.
            var dem: [Double] = []
            for q in 0..<96 {
                let h = Double(q) / 4 + 0.125
                func bump(_ center: Double, _ width: Double) -> Double {
                    exp(-(h - center) * (h - center) / (2 * width * width))
                }
                let day = h >= 6 && h <= 22 ? 0.45 : 0.0
                dem.append(min(1, 0.15 + day + 0.55 * bump(8, 0.9) + 0.55 * bump(18, 1.0)))
            }
            demand = Table(dem)

            func json(_ s: String) -> String {
                var r = ""
                for c in s.unicodeScalars {
                    switch c {
                    case "\"": r += "\\\""
                    case "\\": r += "\\\\"
                    default: r.unicodeScalars.append(c)
                    }
                }
                return r
            }
            func pickTable(_ weights: [(Int, Int)]) -> Table<UInt8> {
                var table: [UInt8] = []
                for (index, w) in weights { table += Array(repeating: UInt8(index), count: w) }
                precondition(table.count == 256, "pick table weights must sum to 256")
                return Table(table)
            }
            let districts = Self.districts
            districtCount = districts.count
            districtLat = Table(districts.map { $0.lat })
            districtLon = Table(districts.map { $0.lon })
            districtMember = Table(districts.map { Bytes("\",\"district\":\"\(json($0.name))\"") })

            // Segments and traffic sensors.
            var segs: [Segment] = []
            var sensorSeg: [Int32] = []
            var sensorOcc: [Bool] = []
            var middles: [Bytes] = []
            var tails: [Bytes] = []
            for d in districts {
                var number = 0
                for street in d.streets {
                    let segIndex = segs.count
                    segs.append(
                        Segment(
                            freeSpeed: 35 + 25 * rng.unit(), congestion: 0.55 + 0.45 * rng.unit(),
                            capacity: 20 + 70 * rng.unit()))
                    let perSegment = 2 + rng.below(2)
                    for _ in 0..<perSegment {
                        number += 1
                        let id = "TS-\(d.code)-" + String(repeating: "0", count: number < 10 ? 2 : 1) + "\(number)"
                        middles.append(
                            Bytes(
                                "\",\"district\":\"\(json(d.name))\",\"sensor\":\"\(id)\",\"segment\":\"\(json(street))\""
                                    + ",\"vehicles\":"))
                        tails.append(Bytes(rng.below(2) == 0 ? "}\n" : ",\"interval_s\":60}\n"))
                        sensorSeg.append(Int32(segIndex))
                        sensorOcc.append(rng.below(4) != 0)
                    }
                }
            }
            segments = Table(segs)
            segmentCount = segs.count
            sensorCount = sensorSeg.count
            sensorSegment = Table(sensorSeg)
            sensorHasOccupancy = Table(sensorOcc)
            sensorMiddle = Table(middles)
            sensorTail = Table(tails)
            var order = (0..<sensorSeg.count).map { Int32($0) }
            for i in stride(from: order.count - 1, to: 0, by: -1) {
                order.swapAt(i, rng.below(i + 1))
            }
            sensorOrder = Table(order)

            // Metrics.
            let metrics: [(String, String, String?)] = [
                ("portal.response_ms", "dichvucong.hanoi.gov.vn", "ms"),
                ("gateway.response_ms", "api-gateway", "ms"),
                ("portal.up", "dichvucong.hanoi.gov.vn", nil),
                ("dvc.queue_depth", "dvc-backend", nil),
            ]
            metricMiddle = Table(metrics.map { Bytes("\",\"name\":\"\($0.0)\",\"value\":") })
            metricTail = Table(
                metrics.map { m in
                    Bytes(",\"system\":\"\(m.1)\"" + (m.2.map { ",\"unit\":\"\($0)\"" } ?? "") + "}\n")
                })

            // Security sensors: slots 0–5 cameras, 6–7 alarms.
            var secs: [Bytes] = []
            for d in districts {
                for slot in 0..<Self.securityPerDistrict {
                    let id =
                        slot < Self.securityPerDistrict - 2
                        ? "CAM-\(d.code)-0\(slot + 1)" : "ALM-\(d.code)-0\(slot - 5)"
                    secs.append(Bytes("\",\"district\":\"\(json(d.name))\",\"sensor\":\"\(id)\",\"type\":\""))
                }
            }
            securitySensors = Table(secs)
            securityTypeNames = Table(Self.securityTypes.map { Bytes("\($0.name)\"") })
            severities = Table(
                Self.securityTypes.flatMap { type in (0..<8).map { UInt8(type.severities[$0 % type.severities.count]) }
                })
            // loitering, crowd, camera_offline, intrusion, tamper, fight, weapon
            cameraTypes = pickTable([(0, 100), (1, 70), (2, 60), (3, 16), (4, 6), (5, 3), (6, 1)])
            // intrusion, tamper, smoke, fire
            alarmTypes = pickTable([(3, 200), (4, 53), (7, 2), (8, 1)])

            // Field reports.
            let rules = Rules.default
            let cats = rules.categories + [rules.fallback]
            categoryCount = cats.count
            reportAgency = Table(cats.map { Bytes(",\"agency\":\"\($0.agency)\"}\n") })
            categoryMember = Table(cats.map { Bytes(",\"category\":\"\($0.code)\"") })
            categorySLA = Table(cats.map { $0.sla })
            // fire, flooding, public_order, traffic, roads, lighting, sanitation, trees, construction, other
            let categoryWeights = [10, 31, 26, 26, 31, 23, 36, 18, 19, 36]  // of 256
            categoryPick = pickTable(categoryWeights.enumerated().map { ($0.offset, $0.element) })
            // accents, no accents, English, upper case
            variantPick = pickTable([(0, 128), (1, 51), (2, 51), (3, 26)])
            func capitalized(_ s: String) -> String {
                guard let f = s.first else { return s }
                return f.uppercased() + s.dropFirst()
            }
            let viTemplates = [
                "Người dân phản ánh {p} tại đường {s}",
                "{P} ở khu vực {s}, đề nghị xử lý gấp",
                "Có {p} gần chợ {s} từ sáng nay",
                "Phản ánh: {p} trước nhà số 12 phố {s}, rất nguy hiểm",
                "Tình trạng {p} kéo dài ở {s} mấy ngày nay",
                "{P} ngay ngõ 5 \"{s}\", mong cơ quan chức năng xem xét",
            ]
            let enTemplates = [
                "Citizen reports {p} near {s} street",
                "{P} on {s}, please send someone",
                "There is {p} at the corner of {s} since this morning",
            ]
            let otherTexts: [[String]] = [
                [
                    "Đề nghị cấp lại biển số nhà cho hộ dân ở {s}", "Loa phát thanh phường ở {s} không hoạt động",
                    "Nước chảy tràn ra đường {s} do vỡ ống cấp nước", "Hỏi thủ tục đăng ký tạm trú tại {s}",
                    "Chó thả rông gần trường học phố {s}",
                ],
                ["De nghi kiem tra bien quang cao sai phep o {s}", "Hoi ve lich tiem chung cho tre em tai {s}"],
                ["Question about residence registration in {s}", "Stray dogs near the school on {s}"],
                ["ĐỀ NGHỊ CẤP LẠI BIỂN SỐ NHÀ Ở {S}", "QUESTION ABOUT PARKING PERMITS ON {S}"],
            ]
            var allTexts: [Bytes] = []
            var groupStart: [Int32] = []
            for d in districts {
                // Texts name streets of the report's own district.
                func fill(_ template: String, phrase: String) -> String {
                    let s = d.streets[rng.below(d.streets.count)]
                    return
                        template
                        .replacing("{P}", with: capitalized(phrase))
                        .replacing("{p}", with: phrase)
                        .replacing("{S}", with: s.uppercased())
                        .replacing("{s}", with: s)
                }
                func textMember(_ s: String) -> Bytes { Bytes(",\"text\":\"\(json(s))\"") }
                for cat in cats {
                    let vi = cat.phrases.filter { $0.utf8.contains { $0 >= 0x80 } }
                    let en = cat.phrases.filter { !$0.utf8.contains { $0 >= 0x80 } }
                    var groups: [[Bytes]]
                    if vi.isEmpty {
                        groups = otherTexts.map { list in list.map { textMember(fill($0, phrase: "")) } }
                        groups[1] += otherTexts[0].map { textMember(Self.fold(fill($0, phrase: ""))) }
                    } else {
                        var accented: [Bytes] = []
                        var folded: [Bytes] = []
                        var upper: [Bytes] = []
                        for p in vi {
                            for tpl in viTemplates {
                                accented.append(textMember(fill(tpl, phrase: p)))
                                folded.append(textMember(Self.fold(fill(tpl, phrase: p))))
                            }
                            upper.append(textMember(fill(viTemplates[0], phrase: p).uppercased()))
                        }
                        var english: [Bytes] = []
                        for p in en {
                            for tpl in enTemplates { english.append(textMember(fill(tpl, phrase: p))) }
                            upper.append(textMember(fill(enTemplates[1], phrase: p).uppercased()))
                        }
                        groups = [accented, folded, english, upper]
                    }
                    precondition(groups.count == Self.variantCount)
                    for g in groups {
                        groupStart.append(Int32(allTexts.count))
                        allTexts += g
                    }
                }
            }
            groupStart.append(Int32(allTexts.count))
            texts = Table(allTexts)
            textGroupStart = Table(groupStart)
            let channels = ["app", "hotline", "zalo", "web"]
            channelMember = Table(channels.map { Bytes(",\"channel\":\"\($0)\"") })
            channelPick = pickTable([(0, 102), (1, 64), (2, 64), (3, 26)])

            // Services.
            let procedures = Self.procedures
            procedureCount = procedures.count
            procedureHours = Table(procedures.map { $0.hours })
            dossierPrefix = Table(procedures.map { Bytes("000.00.\($0.agencyCode).H26-") })
            procedureMembers = Table(
                procedures.map { Bytes(",\"agency\":\"\(json($0.agency))\",\"procedure\":\"\(json($0.name))\"") })
            procedureAgencyOnly = Table(procedures.map { Bytes(",\"agency\":\"\(json($0.agency))\"") })
            dossierChannelMember = Table(["online", "counter", "post"].map { Bytes(",\"channel\":\"\($0)\"") })
            dossierChannelPick = pickTable([(0, 141), (1, 97), (2, 18)])

            // Bad lines: one template per way a line can be rejected, in about equal parts per reason.
            func bad(_ prefix: String, _ stamp: BadStamp, _ suffix: String) -> BadLine {
                BadLine(prefix: Bytes(prefix), stamp: stamp, suffix: Bytes(suffix + "\n"))
            }
            let bad: [BadLine] = [
                // malformed_json
                bad(
                    "{\"kind\":\"traffic\",\"ts\":\"", .valid,
                    "\",\"sensor\":\"TS-HK-001\",\"vehicles\":12,\"speed_kmh\":"),
                bad("{\"kind\":\"metric\",\"ts\":\"", .valid, "\",\"name\":\"portal.response_ms\",\"value\":NaN}"),
                bad("{\"kind\":\"security\",\"ts\":\"", .valid, "\",\"sensor\":\"CAM-BD-01\",\"type\":\"crowd\",}"),
                // not_object
                bad("[\"traffic\",\"", .valid, "\",\"TS-CG-003\",14,38.5]"),
                bad("\"", .valid, " portal.up 1\""),
                bad("null", .none, ""),
                // unknown_kind
                bad("{\"kind\":\"weather\",\"ts\":\"", .valid, "\",\"district\":\"Tây Hồ\",\"temp_c\":27.5}"),
                bad("{\"kind\":\"parking\",\"ts\":\"", .valid, "\",\"lot\":\"P-HK-02\",\"free\":17}"),
                bad(
                    "{\"kind\":\"Traffic\",\"ts\":\"", .valid,
                    "\",\"sensor\":\"TS-DD-002\",\"vehicles\":8,\"speed_kmh\":31}"),
                // missing_field
                bad(
                    "{\"kind\":\"traffic\",\"ts\":\"", .valid,
                    "\",\"district\":\"Cầu Giấy\",\"sensor\":\"TS-CG-004\",\"speed_kmh\":41.2}"),
                bad(
                    "{\"kind\":\"field_report\",\"ts\":\"", .valid,
                    "\",\"district\":\"Đống Đa\",\"status\":\"new\",\"text\":\"Ngập sâu tại Thái Hà\"}"),
                bad(
                    "{\"kind\":\"service\",\"ts\":\"", .valid,
                    "\",\"dossier\":\"000.00.12.H26-000000-000001\",\"event\":\"received\",\"channel\":\"online\"}"),
                bad("{\"kind\":\"metric\",\"ts\":\"", .valid, "\",\"name\":\"portal.up\"}"),
                bad(
                    "{\"kind\":\"security\",\"district\":\"Hoàng Mai\",\"sensor\":\"CAM-HM-02\",\"type\":\"intrusion\"}",
                    .none, ""),
                // bad_type
                bad(
                    "{\"kind\":\"traffic\",\"ts\":\"", .valid,
                    "\",\"sensor\":\"TS-DD-002\",\"vehicles\":\"17\",\"speed_kmh\":33.0}"),
                bad(
                    "{\"kind\":\"security\",\"ts\":\"", .valid,
                    "\",\"sensor\":\"CAM-TX-01\",\"type\":\"fight\",\"severity\":\"high\"}"),
                bad("{\"kind\":\"metric\",\"ts\":", .epochSeconds, ",\"name\":\"gateway.response_ms\",\"value\":210}"),
                bad(
                    "{\"kind\":\"traffic\",\"ts\":\"", .valid,
                    "\",\"sensor\":\"TS-BD-005\",\"vehicles\":12.5,\"speed_kmh\":40}"),
                // bad_value
                bad(
                    "{\"kind\":\"traffic\",\"ts\":\"", .valid,
                    "\",\"sensor\":\"TS-HK-007\",\"vehicles\":9,\"speed_kmh\":412.0}"),
                bad(
                    "{\"kind\":\"security\",\"ts\":\"", .valid,
                    "\",\"sensor\":\"CAM-LB-03\",\"type\":\"tamper\",\"severity\":9}"),
                bad(
                    "{\"kind\":\"field_report\",\"ts\":\"", .valid,
                    "\",\"id\":\"PA-2026-999999\",\"status\":\"closed\"}"),
                bad(
                    "{\"kind\":\"traffic\",\"ts\":\"", .valid,
                    "\",\"sensor\":\"TS-TX-002\",\"vehicles\":30,\"speed_kmh\":22.5,\"occupancy\":1.7}"),
                bad(
                    "{\"kind\":\"service\",\"ts\":\"", .valid,
                    "\",\"dossier\":\"000.00.12.H26-000000-000002\",\"event\":\"received\",\"agency\":\"Sở Tư pháp\","
                        + "\"channel\":\"fax\"}"),
                bad(
                    "{\"kind\":\"field_report\",\"ts\":\"", .valid,
                    "\",\"id\":\"PA-2026-999998\",\"status\":\"new\",\"text\":\"Ổ gà\",\"lat\":105.85,\"lon\":21.02}"),
                // bad_timestamp
                bad("{\"kind\":\"metric\",\"ts\":\"", .spaceSeparated, "\",\"name\":\"portal.up\",\"value\":1}"),
                bad(
                    "{\"kind\":\"traffic\",\"ts\":\"", .noOffset,
                    "\",\"sensor\":\"TS-HD-004\",\"vehicles\":22,\"speed_kmh\":35.5}"),
                bad(
                    "{\"kind\":\"security\",\"ts\":\"", .impossibleDate,
                    "\",\"sensor\":\"CAM-CG-02\",\"type\":\"loitering\"}"),
                bad(
                    "{\"kind\":\"metric\",\"ts\":\"", .none, "22/11/2026 08:15:00\",\"name\":\"portal.up\",\"value\":1}"
                ),
            ]
            badLines = Table(bad)
            badLineCount = bad.count
        }

        /// Removes Vietnamese diacritics and maps đ/Đ to d/D (text typed without accents).
        static func fold(_ s: String) -> String {
            var r = ""
            for c in s {
                if let f = foldMap[c] { r.append(f) } else { r.append(c) }
            }
            return r
        }

        private static let foldMap: [Character: Character] = {
            let groups: [(Character, String)] = [
                ("a", "àáảãạăằắẳẵặâầấẩẫậ"), ("e", "èéẻẽẹêềếểễệ"), ("i", "ìíỉĩị"), ("o", "òóỏõọôồốổỗộơờớởỡợ"),
                ("u", "ùúủũụưừứửữự"), ("y", "ỳýỷỹỵ"), ("d", "đ"),
            ]
            var m: [Character: Character] = [:]
            for (base, variants) in groups {
                for v in variants {
                    m[v] = base
                    m[Character(v.uppercased())] = Character(String(base).uppercased())
                }
            }
            return m
        }()

        /// Inverse of the standard normal CDF (Acklam's rational approximation, relative error < 1.2e-9).
        static func inverseNormal(_ p: Double) -> Double {
            let a = [
                -3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02,
                -3.066479806614716e+01, 2.506628277459239e+00,
            ]
            let b = [
                -5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01,
                -1.328068155288572e+01,
            ]
            let c = [
                -7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00,
                4.374664141464968e+00, 2.938163982698783e+00,
            ]
            let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
            let low = 0.02425
            if p < low {
                let q = (-2 * log(p)).squareRoot()
                return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
                    / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
            }
            if p > 1 - low {
                let q = (-2 * log(1 - p)).squareRoot()
                return -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
                    / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
            }
            let q = p - 0.5
            let r = q * q
            return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
                / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
        }
    }
}
