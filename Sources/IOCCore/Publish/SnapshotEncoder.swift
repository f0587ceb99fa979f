/// Writes an `ioc.snapshot/1` object (SPEC §5): members in the SPEC's order, `by_*` and `metrics` keys sorted
/// by bytes, so equal snapshots are equal bytes.
struct SnapshotEncoder {
    unowned let agg: WindowAggregator
    /// "The clock": the window's end (final) or the watermark (provisional).
    let clock: Int64
    /// A provisional snapshot's clock (the watermark) may be past the last close.
    let provisional: Bool
    /// The most urgent active alerts, most urgent first (`alerts.active`).
    let urgent: [Alert]

    init(aggregator: WindowAggregator, clock: Int64, provisional: Bool, urgent: [Alert]) {
        agg = aggregator
        self.clock = clock
        self.provisional = provisional
        self.urgent = urgent
    }

    func encode(
        _ w: WindowData, windowStart: Int64, windowEnd: Int64, final: Bool, rolling15: WindowData,
        rolling60: WindowData, into out: inout JSONWriter
    ) {
        out.raw("{\"schema\":\"ioc.snapshot/1\",\"window\":{\"start\":")
        out.timestamp(windowStart)
        out.raw(",\"end\":")
        out.timestamp(windowEnd)
        out.raw(",\"final\":")
        out.bool(final)
        out.raw("},\"watermark\":")
        if let mark = agg.watermark { out.timestamp(mark) } else { out.null() }
        let c = agg.counts
        out.raw(",\"pipeline\":{\"lines\":")
        out.int(c.lines)
        out.raw(",\"accepted\":")
        out.int(c.accepted)
        out.raw(",\"rejected\":")
        out.int(c.rejected)
        out.raw(",\"late\":")
        out.int(c.late)
        out.raw(",\"duplicates\":")
        out.int(c.duplicates)
        out.raw(",\"ignored\":")
        out.int(c.ignored)
        out.raw(",\"dropped\":")
        out.int(c.dropped)
        if let live = agg.liveFigures?() {
            out.raw(",\"ring_fill\":")
            out.double((live.ringFill * 1000).rounded() / 1000)
            out.raw(",\"watermark_lag_ms\":")
            if let mark = agg.watermark {
                out.int(Int(live.wallClock.saturatingSubtracting(mark) / 1_000_000))
            } else {
                out.null()
            }
            if let subscribers = live.subscribers {
                out.raw(",\"subscribers\":")
                out.int(subscribers.connected)
                out.raw(",\"subscribers_dropped\":")
                out.int(subscribers.dropped)
            }
        }
        out.raw("},")
        kindSections(w, into: &out)
        out.raw(",\"rolling\":{\"15m\":{")
        kindSections(rolling15, into: &out)
        out.raw("},\"60m\":{")
        kindSections(rolling60, into: &out)
        out.raw("}},\"alerts\":")
        alerts(into: &out)
        out.byte(0x7D)
    }

    private func kindSections(_ w: WindowData, into out: inout JSONWriter) {
        out.raw("\"field_reports\":")
        fieldReports(w, into: &out)
        out.raw(",\"traffic\":")
        traffic(w, into: &out)
        out.raw(",\"security\":")
        security(w, into: &out)
        out.raw(",\"services\":")
        services(w, into: &out)
        out.raw(",\"metrics\":")
        metrics(w, into: &out)
    }

    // MARK: - Sections

    private func fieldReports(_ w: WindowData, into out: inout JSONWriter) {
        out.raw("{\"received\":")
        out.int(w.reportsReceived)
        out.raw(",\"resolved\":")
        out.int(w.reportsResolved)
        out.raw(",\"rejected\":")
        out.int(w.reportsRejected)
        out.raw(",\"open\":")
        out.int(agg.reportsOpen)
        out.raw(",\"overdue\":")
        out.int(reportsOverdue)
        out.raw(",\"received_total\":")
        out.int(agg.reportsReceivedTotal)
        out.raw(",\"resolved_total\":")
        out.int(agg.reportsResolvedTotal)
        out.raw(",\"resolved_share\":")
        out.double(ratio(agg.reportsResolvedTotal, agg.reportsReceivedTotal))
        out.raw(",\"resolve_minutes\":{\"count\":")
        out.int(w.resolveMinutes.count)
        out.raw(",\"p50\":")
        out.double(w.resolveMinutes.quantile(0.5))
        out.raw(",\"p90\":")
        out.double(w.resolveMinutes.quantile(0.9))
        out.raw("},\"by_category\":")
        let cats = agg.rules.allCategories
        var byCategory: [(String, Int)] = []
        var byAgency: [ExactString: Int] = [:]
        for (i, n) in w.reportsByCategory.enumerated() where n > 0 && i < cats.count {
            byCategory.append((cats[i].code, n))
            byAgency[ExactString(cats[i].agency), default: 0] += n
        }
        map(byCategory, into: &out)
        out.raw(",\"by_agency\":")
        map(byAgency.map { ($0.key.string, $0.value) }, into: &out)
        out.raw(",\"by_district\":")
        map(w.reportsByDistrict.map { ($0.key, $0.value) }, names: agg.districts, into: &out)
        out.byte(0x7D)
    }

    private func traffic(_ w: WindowData, into out: inout JSONWriter) {
        out.raw("{\"readings\":")
        out.int(w.readings)
        out.raw(",\"vehicles\":")
        out.int(w.vehicles)
        out.raw(",\"mean_speed_kmh\":")
        out.double(w.readings > 0 ? w.speedSum.value / Double(w.readings) : nil)
        out.raw(",\"levels\":")
        levels(w.levels, into: &out)
        var segmentLevels = FourCounts()
        // Segments as ids, named only when written (a snapshot has three sections, each with every segment).
        var means: [(id: Int32, mean: Double)] = []
        means.reserveCapacity(w.segments.count)
        for (id, s) in w.segments where s.count > 0 {
            let mean = s.mean
            segmentLevels[agg.rules.level(ofSpeed: mean).rawValue] += 1
            means.append((id, mean))
        }
        out.raw(",\"segments\":")
        levels(segmentLevels, into: &out)
        let names = agg.segments
        means.sort { a, b in a.mean != b.mean ? a.mean < b.mean : names.precedes(a.id, b.id) }
        out.raw(",\"slowest\":[")
        for (i, s) in means.prefix(5).enumerated() {
            if i > 0 { out.byte(0x2C) }
            out.raw("{\"segment\":")
            names.withBytes(s.id) { out.string(utf8: $0) }
            out.raw(",\"mean_speed_kmh\":")
            out.double(s.mean)
            out.raw(",\"level\":")
            out.string(agg.rules.level(ofSpeed: s.mean).name)
            out.byte(0x7D)
        }
        let offline = agg.trafficSensors.offlineCount(clock: clock, ttl: agg.rules.sensorTTL)
        out.raw("],\"sensors_online\":")
        out.int(agg.trafficSensors.lastTs.count - offline)
        out.raw(",\"sensors_offline\":")
        out.int(offline)
        out.byte(0x7D)
    }

    private func levels(_ counts: FourCounts, into out: inout JSONWriter) {
        out.raw("{\"free\":")
        out.int(counts[0])
        out.raw(",\"moderate\":")
        out.int(counts[1])
        out.raw(",\"heavy\":")
        out.int(counts[2])
        out.raw(",\"jam\":")
        out.int(counts[3])
        out.byte(0x7D)
    }

    private func security(_ w: WindowData, into out: inout JSONWriter) {
        out.raw("{\"events\":")
        out.int(w.securityEvents)
        out.raw(",\"by_priority\":{\"P1\":")
        out.int(w.securityByPriority[0])
        out.raw(",\"P2\":")
        out.int(w.securityByPriority[1])
        out.raw(",\"P3\":")
        out.int(w.securityByPriority[2])
        out.raw(",\"P4\":")
        out.int(w.securityByPriority[3])
        out.raw("},\"by_type\":")
        map(w.securityByType.map { ($0.key, $0.value) }, names: agg.securityTypes, into: &out)
        out.raw(",\"by_route\":")
        map(w.securityByRoute.map { ($0.key, $0.value) }, names: agg.routes, into: &out)
        out.raw(",\"by_district\":")
        map(w.securityByDistrict.map { ($0.key, $0.value) }, names: agg.districts, into: &out)
        out.raw(",\"sensors_offline\":")
        out.int(agg.securitySensors.offlineCount(clock: clock, ttl: agg.rules.sensorTTL))
        out.byte(0x7D)
    }

    private func services(_ w: WindowData, into out: inout JSONWriter) {
        out.raw("{\"received\":")
        out.int(w.servicesReceived)
        out.raw(",\"received_online\":")
        out.int(w.servicesReceivedOnline)
        out.raw(",\"online_share\":")
        out.double(ratio(w.servicesReceivedOnline, w.servicesReceived))
        out.raw(",\"resolved\":")
        out.int(w.servicesResolved)
        out.raw(",\"resolved_on_time\":")
        out.int(w.servicesOnTime)
        out.raw(",\"on_time_rate\":")
        out.double(ratio(w.servicesOnTime, w.servicesWithDue))
        let overdueByAgency = dossierOverdueByAgency()
        out.raw(",\"in_progress\":")
        out.int(agg.servicesInProgress)
        out.raw(",\"overdue\":")
        out.int(provisional ? overdueByAgency.reduce(0, +) : agg.servicesOverdue)
        out.raw(",\"by_agency\":{")
        var rows: [Int32] = []
        for id in 0..<Int32(agg.agencies.count) {
            let inProgress = Int(id) < agg.agencyInProgress.count ? agg.agencyInProgress[Int(id)] : 0
            if inProgress > 0 || w.servicesByAgency[id] != nil { rows.append(id) }
        }
        let names = agg.agencies
        rows.sort { names.precedes($0, $1) }
        for (i, id) in rows.enumerated() {
            if i > 0 { out.byte(0x2C) }
            let c = w.servicesByAgency[id] ?? AgencyCounts()
            key(id, names, into: &out)
            out.raw("{\"received\":")
            out.int(c.received)
            out.raw(",\"resolved\":")
            out.int(c.resolved)
            out.raw(",\"on_time_rate\":")
            out.double(ratio(c.onTime, c.withDue))
            out.raw(",\"in_progress\":")
            out.int(Int(id) < agg.agencyInProgress.count ? agg.agencyInProgress[Int(id)] : 0)
            out.raw(",\"overdue\":")
            out.int(Int(id) < overdueByAgency.count ? overdueByAgency[Int(id)] : 0)
            out.byte(0x7D)
        }
        out.raw("}}")
    }

    private func metrics(_ w: WindowData, into out: inout JSONWriter) {
        out.byte(0x7B)
        let names = agg.metricNames
        let rows = w.metrics.map { (id: $0.key, m: $0.value) }.sorted { names.precedes($0.id, $1.id) }
        for (i, row) in rows.enumerated() {
            if i > 0 { out.byte(0x2C) }
            let s = MetricStats(row.m)
            key(row.id, names, into: &out)
            out.raw("{\"count\":")
            out.int(row.m.values.count)
            out.raw(",\"mean\":")
            out.double(s.value(.mean))
            out.raw(",\"min\":")
            out.double(s.value(.min))
            out.raw(",\"max\":")
            out.double(s.value(.max))
            out.raw(",\"p50\":")
            out.double(s.value(.p50))
            out.raw(",\"p95\":")
            out.double(s.value(.p95))
            out.raw(",\"p99\":")
            out.double(s.value(.p99))
            out.raw(",\"last\":")
            out.double(s.value(.last))
            out.byte(0x7D)
        }
        out.byte(0x7D)
    }

    private func alerts(into out: inout JSONWriter) {
        let book = agg.alerts
        out.raw("{\"active_total\":")
        out.int(book.active.count)
        out.raw(",\"by_rule\":")
        map(book.countByRule(), into: &out)
        out.raw(",\"active\":[")
        for (i, a) in urgent.enumerated() {
            if i > 0 { out.byte(0x2C) }
            out.raw("{\"id\":")
            out.string(a.id)
            out.raw(",\"rule\":")
            out.string(a.rule.rawValue)
            out.raw(",\"subject\":")
            out.string(a.subject)
            out.raw(",\"priority\":")
            out.string(a.priority.name)
            out.raw(",\"since\":")
            out.timestamp(a.since)
            out.byte(0x7D)
        }
        out.raw("],\"raised\":")
        out.int(book.raisedTotal)
        out.raw(",\"cleared\":")
        out.int(book.clearedTotal)
        out.byte(0x7D)
    }

    // MARK: - Helpers

    /// Overdue reports at the clock: those already marked, plus (for a provisional clock past the last close)
    /// open ones whose due has passed since.
    private var reportsOverdue: Int {
        var n = agg.reportsOverdue
        guard provisional else { return n }
        for i in agg.reports.indices {
            let r = agg.reports[i]
            if r.isOpen && !r.overdue && r.due < clock { n += 1 }
        }
        return n
    }

    /// Overdue dossiers per agency id at the clock: kept up to date at each close, recounted for a provisional
    /// clock past it.
    private func dossierOverdueByAgency() -> [Int] {
        guard provisional else { return agg.agencyOverdue }
        var counts = [Int](repeating: 0, count: agg.agencies.count)
        for i in agg.dossiers.indices {
            let d = agg.dossiers[i]
            if d.inProgress && d.due != .min && d.due < clock && d.agency >= 0 { counts[Int(d.agency)] += 1 }
        }
        return counts
    }

    private func ratio(_ a: Int, _ b: Int) -> Double? { b == 0 ? nil : Double(a) / Double(b) }

    /// A JSON object of counts keyed by interned ids, named by `names`, keys sorted by bytes.
    private func map(_ pairs: [(Int32, Int)], names: Interner, into out: inout JSONWriter) {
        let sorted = pairs.sorted { names.precedes($0.0, $1.0) }
        out.byte(0x7B)
        for (i, (id, v)) in sorted.enumerated() {
            if i > 0 { out.byte(0x2C) }
            key(id, names, into: &out)
            out.int(v)
        }
        out.byte(0x7D)
    }

    /// `"name":` for an interned id, from the interner's bytes.
    private func key(_ id: Int32, _ names: Interner, into out: inout JSONWriter) {
        names.withBytes(id) { out.string(utf8: $0) }
        out.byte(0x3A)
    }

    /// A JSON object of counts with keys sorted by bytes.
    private func map(_ pairs: [(String, Int)], into out: inout JSONWriter) {
        let sorted = pairs.sorted { $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }
        out.byte(0x7B)
        for (i, (k, v)) in sorted.enumerated() {
            if i > 0 { out.byte(0x2C) }
            out.key(k)
            out.int(v)
        }
        out.byte(0x7D)
    }

    /// One human line for `--summary`.
    func summary(_ w: WindowData, windowEnd: Int64) -> String {
        let c = agg.counts
        var parts: [String] = []
        parts.append("window \(Timestamp.string(w.start))/\(Timestamp.string(windowEnd))")
        parts.append(
            "reports +\(w.reportsReceived) resolved \(w.reportsResolved) open \(agg.reportsOpen)"
                + " overdue \(reportsOverdue)")
        let speed = w.readings > 0 ? String(Int((w.speedSum.value / Double(w.readings)).rounded())) : "-"
        parts.append("traffic \(w.readings) readings \(speed) km/h jam \(w.levels[3])")
        parts.append("security \(w.securityEvents) (P1 \(w.securityByPriority[0]))")
        let rate = w.servicesWithDue > 0 ? "\(w.servicesOnTime * 100 / w.servicesWithDue)%" : "-"
        parts.append("services +\(w.servicesReceived) resolved \(w.servicesResolved) on-time \(rate)")
        parts.append("alerts \(agg.alerts.active.count)")
        parts.append("lines \(c.lines) rejected \(c.rejected) late \(c.late)")
        return parts.joined(separator: " | ")
    }
}
