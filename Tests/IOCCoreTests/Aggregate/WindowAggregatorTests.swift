import Foundation
import IOCCore
import IOCTestSupport
import Testing

/// A traffic reading at `t` (a time of 2026-11-22, UTC).
private func traffic(
    _ t: String, sensor: String = "s1", segment: String? = nil, speed: Double = 50,
    vehicles: Int = 10
) -> String {
    let seg = segment.map { ",\"segment\":\"\($0)\"" } ?? ""
    return "{\"kind\":\"traffic\",\"ts\":\"2026-11-22T\(t)Z\",\"sensor\":\"\(sensor)\"\(seg),\"vehicles\":\(vehicles),"
        + "\"speed_kmh\":\(speed)}"
}

private func report(
    _ t: String, id: String, status: String, text: String? = nil, category: String? = nil,
    district: String? = nil
) -> String {
    var s = "{\"kind\":\"field_report\",\"ts\":\"2026-11-22T\(t)Z\",\"id\":\"\(id)\",\"status\":\"\(status)\""
    if let text { s += ",\"text\":\"\(text)\"" }
    if let category { s += ",\"category\":\"\(category)\"" }
    if let district { s += ",\"district\":\"\(district)\"" }
    return s + "}"
}

private func security(
    _ t: String, sensor: String = "cam1", type: String, severity: Int = 3,
    district: String = "Q1"
) -> String {
    "{\"kind\":\"security\",\"ts\":\"2026-11-22T\(t)Z\",\"sensor\":\"\(sensor)\",\"type\":\"\(type)\","
        + "\"severity\":\(severity),\"district\":\"\(district)\"}"
}

private func service(
    _ t: String, dossier: String, event: String, agency: String? = nil, channel: String? = nil,
    due: String? = nil
) -> String {
    var s = "{\"kind\":\"service\",\"ts\":\"2026-11-22T\(t)Z\",\"dossier\":\"\(dossier)\",\"event\":\"\(event)\""
    if let agency { s += ",\"agency\":\"\(agency)\"" }
    if let channel { s += ",\"channel\":\"\(channel)\"" }
    if let due { s += ",\"due\":\"2026-11-22T\(due)Z\"" }
    return s + "}"
}

private func metric(_ t: String, name: String, value: Double) -> String {
    "{\"kind\":\"metric\",\"ts\":\"2026-11-22T\(t)Z\",\"name\":\"\(name)\",\"value\":\(value)}"
}

/// A JSON object of counts, in the given order.
private func counts(_ pairs: KeyValuePairs<String, Int>) -> JSONValue {
    .object(pairs.map { JSONObjectMember(key: $0.key, value: .number(Double($0.value))) })
}

/// Runs `lines` and returns the final snapshots.
private func run(
    _ lines: [String], lateness: Int64 = 0, window: Int64 = 60_000_000_000
) -> (
    [JSONValue], CoreHarness
) {
    let h = CoreHarness(window: window, lateness: lateness)
    h.feed(lines.joined(separator: "\n") + "\n")
    return (h.output.snapshotValues, h)
}

@Suite("Windows and watermark")
struct WindowTests {
    @Test func eventExactlyAtWindowEndOpensTheNextWindow() {
        let (snaps, _) = run([traffic("08:00:10"), traffic("08:01:00")])
        #expect(snaps.count == 2)
        #expect(snaps[0].at("window.start")?.string == "2026-11-22T08:00:00Z")
        #expect(snaps[0].at("window.end")?.string == "2026-11-22T08:01:00Z")
        #expect(snaps[0].at("traffic.readings")?.int == 1)
        // The window closed right after the event at its end was applied: both lines are counted.
        #expect(snaps[0].at("pipeline.lines")?.int == 2)
        #expect(snaps[0].at("watermark")?.string == "2026-11-22T08:01:00Z")
        #expect(snaps[1].at("traffic.readings")?.int == 1)
        #expect(snaps[1].at("window.final") == .bool(true))
    }

    @Test func watermarkJumpClosesEveryWindowInBetweenEmptyOnesIncluded() {
        let (snaps, _) = run([traffic("08:00:10"), traffic("08:10:10")])
        #expect(snaps.count == 11)
        let starts = snaps.compactMap { $0.at("window.start")?.string }
        #expect(starts.first == "2026-11-22T08:00:00Z")
        #expect(starts.last == "2026-11-22T08:10:00Z")
        for s in snaps[1..<10] {
            #expect(s.at("traffic.readings")?.int == 0)
            #expect(s.at("traffic.mean_speed_kmh")?.isNull == true)
        }
        // All ten closed by the second event, so they all count both lines.
        #expect(snaps[9].at("pipeline.lines")?.int == 2)
    }

    @Test func latenessHoldsWindowsOpen() {
        // With 30 s lateness the 08:00 window is still open at 08:01:20 and takes the 08:00:50 reading.
        let (snaps, h) = run([traffic("08:00:10"), traffic("08:01:20"), traffic("08:00:50")], lateness: 30_000_000_000)
        #expect(snaps[0].at("traffic.readings")?.int == 2)
        #expect(h.counts.late == 0)
    }

    @Test func lateResolvedStillResolvesButIsNotCountedInItsWindow() {
        let (snaps, h) = run([
            report("08:00:10", id: "r1", status: "new", text: "cháy nhà"),
            traffic("08:05:00"),
            report("08:00:20", id: "r1", status: "resolved"),
        ])
        #expect(h.counts.late == 1)
        #expect(h.counts.accepted == 3)
        #expect(h.output.deadLetters.count == 1)
        #expect(h.output.deadLetters[0].contains("\"reason\":\"late\""))
        #expect(h.output.deadLetters[0].contains("\"line\":3"))
        let last = snaps.last!
        #expect(last.at("field_reports.resolved_total")?.int == 1)
        #expect(last.at("field_reports.open")?.int == 0)
        #expect(snaps.allSatisfy { $0.at("field_reports.resolved")?.int == 0 })
        #expect(snaps[0].at("field_reports.received")?.int == 1)
    }

    @Test func windowsBeforeTheFirstEventDoNotExistButEarlierOpenOnesDo() {
        // The second event is earlier but its window is still open (lateness 2 min): it becomes the first window.
        let (snaps, _) = run([traffic("08:01:30"), traffic("08:00:15")], lateness: 120_000_000_000)
        #expect(snaps.map { $0.at("window.start")?.string } == ["2026-11-22T08:00:00Z", "2026-11-22T08:01:00Z"])
    }

    @Test func halfSecondWindows() {
        let (snaps, _) = run([traffic("08:00:00.100"), traffic("08:00:00.700")], window: 500_000_000)
        #expect(snaps.map { $0.at("window.end")?.string } == ["2026-11-22T08:00:00.500Z", "2026-11-22T08:00:01Z"])
    }
}

@Suite("KPIs")
struct KPITests {
    @Test func fieldReports() {
        let (snaps, h) = run([
            report("08:00:01", id: "a", status: "new", text: "Cháy lớn ở chợ", district: "Q1"),
            report("08:00:02", id: "b", status: "new", text: "o ga giua duong", district: "Q1"),
            report("08:00:03", id: "c", status: "new", text: "something odd"),
            report("08:00:04", id: "a", status: "new", text: "Cháy lớn ở chợ"),  // duplicate
            report("08:00:05", id: "d", status: "new", text: "cháy", category: "flooding"),
            report("08:00:30", id: "b", status: "assigned"),
            report("08:00:31", id: "b", status: "resolved"),
            report("08:00:40", id: "c", status: "rejected"),
            report("08:00:50", id: "b", status: "resolved"),  // second resolved: not counted again
            report("08:00:55", id: "zz", status: "resolved"),  // never seen: still a first resolved
            traffic("08:01:30"),
        ])
        let fr = snaps[0].at("field_reports")!
        #expect(fr.at("received")?.int == 4)
        #expect(fr.at("resolved")?.int == 2)
        #expect(fr.at("rejected")?.int == 1)
        #expect(fr.at("open")?.int == 2)
        #expect(fr.at("received_total")?.int == 4)
        #expect(fr.at("resolved_total")?.int == 2)
        #expect(fr.at("resolved_share")?.number == 0.5)
        #expect(fr.at("resolve_minutes.count")?.int == 1)
        #expect(fr.at("resolve_minutes.p50")?.number == 29.0 / 60)
        #expect(fr.at("by_category") == counts(["fire": 1, "flooding": 1, "other": 1, "roads": 1]))
        #expect(fr.at("by_agency")?.keys == ["drainage", "fire", "transport", "ward"])
        #expect(fr.at("by_district") == counts(["Q1": 2, "unknown": 2]))
        #expect(h.counts.duplicates == 1)
        #expect(snaps[0].at("pipeline.duplicates")?.int == 1)
    }

    @Test func overdueUsesTheCategorySLAAgainstTheWindowEnd() {
        // fire has a 1 h SLA: new at 08:00:10 is overdue at a clock after 09:00:10.
        let (snaps, h) = run([
            report("08:00:10", id: "f", status: "new", text: "fire"),
            traffic("09:00:05"),
            traffic("09:01:05"),
        ])
        let overdue = snaps.map { $0.at("field_reports.overdue")?.int ?? -1 }
        // Windows 08:00 … 09:00 close; the one ending 09:01 is the first whose end is past 09:00:10.
        #expect(overdue.firstIndex(of: 1) == 60)
        #expect(overdue.dropFirst(60).allSatisfy { $0 == 1 })
        #expect(
            h.output.alerts.contains {
                $0.contains("\"alert\":\"raised\",\"id\":\"report.overdue:f\"") && $0.contains("\"priority\":\"P1\"")
            })
    }

    @Test func trafficSection() {
        let (snaps, _) = run([
            traffic("08:00:01", sensor: "a", segment: "Le Loi", speed: 45, vehicles: 10),
            traffic("08:00:02", sensor: "a", segment: "Le Loi", speed: 35, vehicles: 5),
            traffic("08:00:03", sensor: "b", segment: "Hai Ba Trung", speed: 8, vehicles: 20),
            traffic("08:00:04", sensor: "c", speed: 12, vehicles: 1),
            traffic("08:00:05", sensor: "d", segment: "Alpha", speed: 40, vehicles: 1),
            traffic("08:01:01", sensor: "a", segment: "Le Loi", speed: 40),
        ])
        let t = snaps[0].at("traffic")!
        #expect(t.at("readings")?.int == 5)
        #expect(t.at("vehicles")?.int == 37)
        #expect(t.at("mean_speed_kmh")?.number == 28)
        #expect(t.at("levels") == counts(["free": 2, "moderate": 1, "heavy": 1, "jam": 1]))
        // Segment means: Le Loi 40 (free), Hai Ba Trung 8 (jam), c 12 (heavy), Alpha 40 (free).
        #expect(t.at("segments.free")?.int == 2)
        #expect(t.at("segments.jam")?.int == 1)
        #expect(
            t.at("slowest")?.items.compactMap { $0.at("segment")?.string } == ["Hai Ba Trung", "c", "Alpha", "Le Loi"])
        #expect(t.at("slowest.0.level")?.string == "jam")
        #expect(t.at("sensors_online")?.int == 4)
        #expect(t.at("sensors_offline")?.int == 0)
    }

    @Test func sensorsGoOfflineAfterTheTTLAndComeBack() {
        let (snaps, h) = run([
            traffic("08:00:00", sensor: "quiet"),
            traffic("08:00:01", sensor: "busy"),
            traffic("08:05:30", sensor: "busy"),
            traffic("08:06:30", sensor: "busy"),
            traffic("08:07:30", sensor: "quiet"),
        ])
        // Window ending 08:06: quiet last at 08:00:00 < 08:06 − 5m → offline.
        let w0805 = snaps.first { $0.at("window.start")?.string == "2026-11-22T08:05:00Z" }!
        #expect(w0805.at("traffic.sensors_offline")?.int == 1)
        #expect(w0805.at("traffic.sensors_online")?.int == 1)
        #expect(w0805.at("alerts.active.0.id")?.string == "sensor.offline:quiet")
        #expect(snaps.last!.at("traffic.sensors_offline")?.int == 0)
        #expect(h.output.alerts.last?.contains("\"alert\":\"cleared\",\"id\":\"sensor.offline:quiet\"") == true)
        #expect(h.output.alerts.last?.contains("\"at\":\"2026-11-22T08:07:30Z\"") == true)
    }

    @Test func securitySection() {
        let (snaps, h) = run([
            security("08:00:01", type: "intrusion", severity: 2),
            security("08:00:02", type: "smoke", severity: 1, district: "Q3"),
            security("08:00:03", type: "loitering", severity: 3),
            security("08:00:04", type: "tamper", severity: 4),
            security("08:00:05", type: "graffiti", severity: 1),
            security("08:00:06", type: "ids_alert"),
            traffic("08:01:01"),
        ])
        let s = snaps[0].at("security")!
        #expect(s.at("events")?.int == 6)
        #expect(s.at("by_priority") == counts(["P1": 2, "P2": 2, "P3": 1, "P4": 1]))
        #expect(s.at("by_route") == counts(["fire": 1, "infosec": 1, "ops": 1, "police": 2, "tech": 1]))
        #expect(s.at("by_district")?.keys == ["Q1", "Q3"])
        #expect(h.output.dispatched.count == 6)
        #expect(h.output.dispatched[1].route == "fire")
        #expect(
            h.output.dispatched[1].line.hasSuffix(
                ",\"route\":{\"category\":\"smoke\",\"route\":\"fire\",\"priority\":\"P1\"}}"))
    }

    @Test func servicesSection() {
        let (snaps, _) = run([
            service(
                "08:00:01", dossier: "d1", event: "received", agency: "Tư pháp", channel: "online", due: "08:00:40"),
            service("08:00:02", dossier: "d2", event: "received", agency: "Tư pháp", due: "08:00:10"),
            service("08:00:03", dossier: "d3", event: "received", agency: "Xây dựng", channel: "post"),
            service("08:00:04", dossier: "d4", event: "received", agency: "Xây dựng", channel: "online"),
            service("08:00:20", dossier: "d1", event: "resolved"),
            service("08:00:30", dossier: "d2", event: "resolved"),
            service("08:00:31", dossier: "d3", event: "resolved"),
            service("08:00:32", dossier: "d4", event: "returned"),
            service("08:00:33", dossier: "d5", event: "received", agency: "Tư pháp", due: "08:00:50"),
            traffic("08:01:01"),
        ])
        let s = snaps[0].at("services")!
        #expect(s.at("received")?.int == 5)
        #expect(s.at("received_online")?.int == 2)
        #expect(s.at("online_share")?.number == 0.4)
        #expect(s.at("resolved")?.int == 3)
        #expect(s.at("resolved_on_time")?.int == 1)
        #expect(s.at("on_time_rate")?.number == 0.5)  // d3 has no due: left out
        #expect(s.at("in_progress")?.int == 1)
        #expect(s.at("overdue")?.int == 1)  // d5 due 08:00:50 < 08:01
        #expect(s.at("by_agency")?.keys == ["Tư pháp", "Xây dựng"])
        #expect(s.at("by_agency.Tư pháp.received")?.int == 3)
        #expect(s.at("by_agency.Tư pháp.on_time_rate")?.number == 0.5)
        #expect(s.at("by_agency.Tư pháp.in_progress")?.int == 1)
        #expect(s.at("by_agency.Xây dựng.on_time_rate")?.isNull == true)
    }

    /// A dossier's repeated event (a second `resolved`, `returned` or `received`) changes no count, but it is an
    /// event of its agency in its window: `by_agency` lists the agency (SPEC §5), with zeros.
    @Test func aRepeatedDossierEventListsItsAgencyInItsWindow() {
        let (snaps, _) = run([
            service("08:00:01", dossier: "d7", event: "received", agency: "A"),
            service("08:00:02", dossier: "d7", event: "resolved"),
            service("08:00:03", dossier: "d8", event: "received", agency: "B"),
            service("08:00:04", dossier: "d8", event: "returned"),
            service("08:01:01", dossier: "d7", event: "resolved"),
            service("08:02:01", dossier: "d8", event: "returned"),
            service("08:03:01", dossier: "d7", event: "received", agency: "A"),
            traffic("08:04:01"),
        ])
        #expect(snaps.count == 5)
        #expect(snaps[1].at("services.by_agency")?.keys == ["A"])
        #expect(snaps[1].at("services.by_agency.A.resolved")?.int == 0)
        #expect(snaps[1].at("services.by_agency.A.on_time_rate")?.isNull == true)
        #expect(snaps[1].at("services.resolved")?.int == 0)
        #expect(snaps[2].at("services.by_agency")?.keys == ["B"])
        #expect(snaps[3].at("services.by_agency")?.keys == ["A"])
        #expect(snaps[3].at("services.by_agency.A.received")?.int == 0)
        #expect(snaps[3].at("services.received")?.int == 0)
    }

    @Test func metricsSection() {
        var lines: [String] = []
        for i in 1...100 {
            lines.append(
                metric("08:00:\(String(format: "%02d", i % 60))", name: "portal.response_ms", value: Double(i)))
        }
        lines.append(metric("08:00:59", name: "portal.up", value: 1))
        lines.append(traffic("08:01:01"))
        let (snaps, _) = run(lines)
        let m = snaps[0].at("metrics.portal.response_ms")
        // Dots in metric names: look it up directly.
        let metricsObject = snaps[0].at("metrics")!
        let rt = metricsObject["portal.response_ms"]!
        #expect(m == nil || m == rt)
        #expect(rt.at("count")?.int == 100)
        #expect(rt.at("mean")?.number == 50.5)
        #expect(rt.at("min")?.number == 1)
        #expect(rt.at("max")?.number == 100)
        #expect(rt.at("p50")?.number == 50)
        #expect(rt.at("p95")?.number == 95)
        #expect(rt.at("p99")?.number == 99)
        #expect(rt.at("last")?.number == 100)
        #expect(metricsObject.keys == ["portal.response_ms", "portal.up"])
    }

    @Test func rollingSumsWindowsAndKeepsStateFromTheClosingOne() {
        var lines: [String] = []
        for minute in 0..<20 {
            let t = String(format: "08:%02d:10", minute)
            lines.append(traffic(t, speed: Double(10 + minute)))
        }
        let (snaps, _) = run(lines)
        let last = snaps.last!  // window 08:19
        #expect(last.at("rolling.15m.traffic.readings")?.int == 15)
        #expect(last.at("rolling.60m.traffic.readings")?.int == 20)
        // Speeds 15…29 in the last 15 windows: mean 22.
        #expect(last.at("rolling.15m.traffic.mean_speed_kmh")?.number == 22)
        #expect(last.at("rolling.15m.traffic.sensors_online") == last.at("traffic.sensors_online"))
        #expect(last.at("rolling.15m.traffic.slowest.0.mean_speed_kmh")?.number == 22)
    }
}

@Suite("Alerts")
struct AlertTests {
    @Test func trafficJamRaisedOnThirdConsecutiveJamAndClearedByFreeFlow() {
        let (_, h) = run([
            traffic("08:00:01", segment: "X", speed: 5),
            traffic("08:00:02", segment: "X", speed: 5),
            traffic("08:00:03", segment: "X", speed: 15),  // heavy: breaks the run
            traffic("08:00:04", segment: "X", speed: 5),
            traffic("08:00:05", segment: "X", speed: 5),
            traffic("08:00:06", segment: "X", speed: 5),  // 3rd consecutive: raised
            traffic("08:00:07", segment: "X", speed: 5),
            traffic("08:00:08", segment: "X", speed: 15),  // heavy: does not clear
            traffic("08:00:09", segment: "X", speed: 30),  // moderate: clears
        ])
        #expect(
            h.output.alerts == [
                "{\"alert\":\"raised\",\"id\":\"traffic.jam:X\",\"rule\":\"traffic.jam\",\"subject\":\"X\",\"priority\":\"P2\",\"at\":\"2026-11-22T08:00:06Z\"}",
                "{\"alert\":\"cleared\",\"id\":\"traffic.jam:X\",\"rule\":\"traffic.jam\",\"subject\":\"X\",\"priority\":\"P2\",\"at\":\"2026-11-22T08:00:09Z\"}",
            ])
    }

    @Test func securityHotspotRaisedAtCloseAndClearedByAQuieterWindow() {
        var lines: [String] = []
        for i in 0..<5 { lines.append(security("08:00:0\(i)", type: "fight", severity: 3, district: "Q5")) }
        lines.append(security("08:01:00", type: "fight", severity: 1, district: "Q5"))
        lines.append(traffic("08:02:00"))
        let (snaps, h) = run(lines)
        #expect(snaps[0].at("alerts.active.0.id")?.string == "security.hotspot:Q5")
        #expect(snaps[0].at("alerts.active.0.priority")?.string == "P1")
        #expect(snaps[0].at("alerts.active.0.since")?.string == "2026-11-22T08:01:00Z")
        #expect(snaps[1].at("alerts.active_total")?.int == 0)
        #expect(snaps[1].at("alerts.raised")?.int == 1)
        #expect(snaps[1].at("alerts.cleared")?.int == 1)
        #expect(h.output.alerts.count == 2)
    }

    @Test func reportOverdueClearedWhenResolved() {
        let (_, h) = run([
            report("08:00:00", id: "r", status: "new", text: "fire"),
            traffic("09:01:00"),
            report("09:01:30", id: "r", status: "resolved"),
        ])
        #expect(h.output.alerts.count == 2)
        #expect(h.output.alerts[0].contains("\"raised\",\"id\":\"report.overdue:r\""))
        #expect(h.output.alerts[1].contains("\"cleared\",\"id\":\"report.overdue:r\""))
        #expect(h.output.alerts[1].contains("\"at\":\"2026-11-22T09:01:30Z\""))
    }

    /// A segment and a district spelled precomposed (NFC) by one system and decomposed (NFD, Unikey's "Unicode
    /// tổ hợp") by another are two subjects, as they are two keys everywhere else: each raises its own alert, and
    /// clearing one leaves the other (Swift's `String ==` takes them as equal; the alert book must not).
    @Test func subjectsThatDifferOnlyInUnicodeNormalisationAreTwoAlerts() {
        let nfc = "M\u{1EF9} \u{0110}\u{00EC}nh"
        let nfd = "My\u{0303} \u{0110}i\u{0300}nh"
        #expect(nfc == nfd && !nfc.utf8.elementsEqual(nfd.utf8))
        var lines: [String] = []
        for t in ["08:00:01", "08:00:02", "08:00:03"] { lines.append(traffic(t, sensor: "a", segment: nfc, speed: 5)) }
        for t in ["08:00:04", "08:00:05", "08:00:06"] { lines.append(traffic(t, sensor: "b", segment: nfd, speed: 5)) }
        lines.append(traffic("08:00:07", sensor: "b", segment: nfd, speed: 50))
        for i in 0..<5 {
            lines.append(security("08:00:1\(i)", type: "fire", district: nfc))
            lines.append(security("08:00:2\(i)", type: "fire", district: nfd))
        }
        for i in 0..<5 { lines.append(security("08:01:1\(i)", type: "fire", district: nfc)) }
        lines.append(traffic("08:02:00", sensor: "a", segment: nfc, speed: 5))
        let (snaps, h) = run(lines)
        // Ids as their scalars, so that the comparison is of bytes, not of canonically equivalent strings.
        func scalars(_ s: String) -> String {
            s.unicodeScalars.map { String($0.value, radix: 16) }.joined(separator: " ")
        }
        func id(_ rule: String, _ subject: String) -> String { scalars(rule + ":" + subject) }
        let changes = h.output.alerts.compactMap { line -> String? in
            guard let v = try? JSONValue.parse(Array(line.utf8)), let change = v.at("alert")?.string,
                let id = v.at("id")?.string
            else { return nil }
            return change + " " + scalars(id)
        }
        #expect(
            changes == [
                "raised " + id("traffic.jam", nfc), "raised " + id("traffic.jam", nfd),
                "cleared " + id("traffic.jam", nfd),
                // The 08:00 close: both districts had five P1 events.
                "raised " + id("security.hotspot", nfd), "raised " + id("security.hotspot", nfc),
                // The 08:01 close: only the precomposed one had; the 08:02 close (end of input): neither.
                "cleared " + id("security.hotspot", nfd), "cleared " + id("security.hotspot", nfc),
            ], "\(h.output.alerts)")
        // Still jammed: the precomposed segment's alert, which the decomposed one's free reading did not clear.
        #expect(snaps.last?.at("alerts.active.0.id")?.string.map(scalars) == id("traffic.jam", nfc))
        #expect(snaps.last?.at("alerts.active_total")?.int == 1)
    }

    @Test func metricSLARaisedByASlowWindowAndClearedByAGoodOne() {
        // p95 of 20 values is the 19th smallest (nearest rank), so two slow values break the threshold.
        var lines: [String] = []
        for i in 0..<20 {
            lines.append(metric("08:00:\(10 + i)", name: "portal.response_ms", value: i >= 18 ? 5000 : 100))
        }
        lines.append(metric("08:00:59", name: "portal.up", value: 0.5))
        for i in 0..<20 { lines.append(metric("08:01:\(10 + i)", name: "portal.response_ms", value: 100)) }
        lines.append(metric("08:01:59", name: "portal.up", value: 1))
        let (snaps, h) = run(lines)
        #expect(snaps[0].at("alerts.active_total")?.int == 2)
        #expect(
            snaps[0].at("alerts.active")?.items.compactMap { $0.at("id")?.string }
                == ["metric.sla:portal.response_ms", "metric.sla:portal.up"])
        #expect(snaps[1].at("alerts.active_total")?.int == 0)
        #expect(h.output.alerts.filter { $0.contains("\"cleared\"") }.count == 2)
    }

    /// A busy metric (300 values in a window, past the 256 a merge keeps as they are) still gets the exact
    /// nearest-rank p95 for its threshold: 2000 at rank 285 is not above 2000, 2001 is.
    @Test(arguments: [(2000.0, false), (2001.0, true)])
    func metricSLAOnABusyWindowComparesTheExactP95(edge: Double, raised: Bool) {
        var lines: [String] = []
        let values =
            Array(repeating: 1000.0, count: 284) + Array(repeating: edge, count: 8)
            + Array(repeating: 5000.0, count: 8)
        for (i, v) in values.enumerated() {
            lines.append(metric("08:00:\(10 + i / 10).\(i % 10)", name: "portal.response_ms", value: v))
        }
        lines.append(metric("08:01:30", name: "portal.up", value: 1))
        let (snaps, h) = run(lines)
        #expect(snaps[0].at("metrics")?["portal.response_ms"]?["p95"]?.number == edge)
        #expect(snaps[0].at("alerts.active_total")?.int == (raised ? 1 : 0))
        #expect(h.output.alerts.contains { $0.contains("metric.sla:portal.response_ms") } == raised)
    }

    /// A traffic and a security sensor with the same name share one alert; the one still silent raises it again.
    /// Alerts raised at one close go out in byte order of the subject, traffic and security sensors together.
    @Test func sensorOfflineIsOneAlertPerNameRaisedInByteOrder() {
        let (snaps, h) = run([
            traffic("00:00:05", sensor: "X"),
            security("00:00:05", sensor: "X", type: "intrusion"),
            traffic("00:00:06", sensor: "t2"),
            security("00:00:06", sensor: "c1", type: "intrusion"),
            security("00:00:06", sensor: "c2", type: "intrusion"),
            metric("00:07:00", name: "m", value: 1),
            traffic("00:07:10", sensor: "X"),
            metric("00:09:00", name: "m", value: 1),
        ])
        let raised = h.output.alerts.filter { $0.contains("\"raised\"") }.map {
            try! JSONValue.parse(Array($0.utf8)).at("subject")!.string!
        }
        // First close with them offline: all four, in byte order; then X again (security X is still silent).
        #expect(Array(raised.prefix(4)) == ["X", "c1", "c2", "t2"])
        #expect(raised.filter { $0 == "X" }.count == 2)
        let last = snaps.last!
        #expect(last.at("security.sensors_offline")?.int == 3)
        #expect(last.at("alerts.active")?.items.contains { $0.at("id")?.string == "sensor.offline:X" } == true)
    }

    @Test func activeListIsOrderedByPriorityThenSinceThenId() {
        let (snaps, _) = run([
            traffic("08:00:00", sensor: "b-sensor"),
            traffic("08:00:00", sensor: "a-sensor"),
            report("08:00:00", id: "r9", status: "new", text: "fire"),
            traffic("08:00:01", segment: "J", speed: 1), traffic("08:00:02", segment: "J", speed: 1),
            traffic("08:00:03", segment: "J", speed: 1),
            traffic("09:30:00", sensor: "c"),
        ])
        let ids = snaps.last!.at("alerts.active")!.items.compactMap { $0.at("id")?.string }
        #expect(
            ids == [
                "report.overdue:r9", "traffic.jam:J", "sensor.offline:a-sensor", "sensor.offline:b-sensor",
                "sensor.offline:s1",
            ])
    }
}

@Suite("Determinism")
struct DeterminismTests {
    /// The same bytes fed in different chunk sizes give byte-identical snapshots.
    @Test func chunkSizeDoesNotChangeSnapshots() throws {
        let url = TestPaths.samples.appendingPathComponent("city-morning.ndjson")
        let data = try [UInt8](Data(contentsOf: url))
        var results: [[String]] = []
        for chunk in [1, 7, 4096, data.count] {
            let h = CoreHarness(now: 1_800_000_000_000_000_000)
            var i = 0
            while i < data.count {
                let end = min(data.count, i + chunk)
                data[i..<end].withUnsafeBytes { h.processor.feed($0) }
                i = end
            }
            h.processor.endSource()
            h.processor.finish()
            results.append(h.output.snapshots + h.output.alerts + h.output.deadLetters)
        }
        #expect(results.allSatisfy { $0 == results[0] })
        #expect(results[0].count > 10)
    }
}

@Suite("Dead letters and limits")
struct DeadLetterTests {
    /// A line with invalid UTF-8 is `malformed_json`; its record replaces the bad bytes, so the file stays valid JSON.
    @Test func invalidUTF8IsReplacedInTheRecord() throws {
        let h = CoreHarness()
        var bytes = Array(#"{"kind":"metric","ts":"2026-11-22T00:00:00Z","name":"m"#.utf8)
        bytes += [0xC3, 0x28, 0xFF]
        bytes += Array(#"","value":1}"#.utf8) + [0x0A]
        bytes.withUnsafeBytes { h.processor.feed($0) }
        h.processor.endSource()
        h.processor.finish()
        #expect(h.output.deadLetters.count == 1)
        let record = try JSONValue.parse(Array(h.output.deadLetters[0].utf8))
        #expect(record.at("reason")?.string == "malformed_json")
        #expect(record.at("source")?.string == "test")
        #expect(record.at("line")?.int == 1)
        #expect(record.at("raw")?.string?.contains("\u{FFFD}") == true)
        #expect(record.keys == ["reason", "source", "line", "raw"])
    }

    @Test func rawIsCutAt4KiBOnACharacterBoundary() throws {
        let h = CoreHarness()
        // A malformed line of 3-byte characters, longer than 4 KiB.
        h.feed("[\"" + String(repeating: "ệ", count: 3000) + "\"]\n")
        let record = try JSONValue.parse(Array(h.output.deadLetters[0].utf8))
        let raw = try #require(record.at("raw")?.string)
        #expect(raw.utf8.count <= 4096)
        #expect(raw.utf8.count >= 4093)
        #expect(!raw.contains("\u{FFFD}"))
        #expect(record.at("reason")?.string == "not_object")
    }

    /// Past `--max-keys`, a line that would add a key is rejected as `cardinality`; known keys still count.
    @Test func cardinalityLimit() {
        // The built-in "unknown" district and agency do not count: three keys from the feed.
        let h = CoreHarness(maxKeys: 3)
        var lines: [String] = []
        for i in 0..<6 {
            lines.append(#"{"kind":"metric","ts":"2026-11-22T00:00:0\#(i)Z","name":"m\#(i % 4)","value":1}"#)
        }
        h.feed(lines.joined(separator: "\n") + "\n")
        // m0, m1, m2 are new keys within the limit; m3 would be the fourth; m0 and m1 again are known.
        #expect(h.counts.accepted == 5)
        #expect(h.counts.byReason[RejectReason.cardinality.code] == 1)
        #expect(h.output.deadLetters.first?.contains("m3") == true)
        #expect(h.output.deadLetters.allSatisfy { $0.contains("\"reason\":\"cardinality\"") })
        #expect(h.counts.lines == 6)
    }

    /// A line rejected `cardinality` adds none of its keys (a security event needs its sensor and its type), so
    /// what is accepted does not depend on the order of the lines.
    @Test(arguments: [[0, 1, 2], [0, 2, 1], [1, 0, 2]])
    func aCardinalityRejectionAddsNoKey(order: [Int]) {
        let lines = [
            #"{"kind":"metric","ts":"2026-11-22T00:00:00Z","name":"m1","value":1}"#,
            #"{"kind":"security","ts":"2026-11-22T00:00:01Z","sensor":"sX","type":"tX","district":"Q1"}"#,
            #"{"kind":"metric","ts":"2026-11-22T00:00:02Z","name":"m2","value":1}"#,
        ]
        let h = CoreHarness(maxKeys: 2)
        h.feed(order.map { lines[$0] }.joined(separator: "\n") + "\n")
        #expect(h.counts.accepted == 2)
        #expect(h.output.deadLetters.count == 1)
        #expect(h.output.deadLetters.first?.contains("sX") == true)
        #expect(h.processor.aggregator.trackedKeys == 2)
        // One key from the feed with `--max-keys 1`: the built-in "unknown" takes no room.
        let one = CoreHarness(maxKeys: 1)
        one.feed(lines[0] + "\n" + lines[2] + "\n")
        #expect(one.counts.accepted == 1)
    }
}

/// The live-run additions to the aggregator: provisional snapshots (`--every`), the idle watermark advance and
/// the run-time figures of the `pipeline` section.
@Suite("Live aggregation")
struct LiveAggregationTests {
    @Test func provisionalSnapshotOfTheOpenWindowAtTheWatermark() throws {
        let h = CoreHarness(lateness: 10_000_000_000)
        h.feed(
            [
                report("08:00:05", id: "r1", status: "new", category: "fire"), traffic("08:00:20"),
                traffic("08:01:30", speed: 5),
            ].joined(separator: "\n") + "\n", finish: false)
        // Watermark 08:01:20: window 08:00 closed, 08:01 is open.
        #expect(h.output.snapshots.count == 1)
        h.processor.aggregator.provisionalSnapshot()
        #expect(h.output.provisional.count == 1)
        let p = try JSONValue.parse(Array(h.output.provisional[0].utf8))
        #expect(p.at("window.start")?.string == "2026-11-22T08:01:00Z")
        #expect(p.at("window.final")?.bool == false)
        #expect(p.at("watermark")?.string == "2026-11-22T08:01:20Z")
        #expect(p.at("traffic.readings")?.int == 1)
        // The fire report (SLA 1 h) is open, not overdue, at the watermark.
        #expect(p.at("field_reports.open")?.int == 1)
        #expect(p.at("field_reports.overdue")?.int == 0)
        // The rolling sections hold the closed window too.
        #expect(p.at("rolling.15m.traffic.readings")?.int == 2)
        #expect(p.at("rolling.15m.field_reports.received")?.int == 1)
        // A provisional snapshot changes nothing that follows.
        h.processor.endSource()
        h.processor.finish()
        #expect(h.output.snapshots.count == 2)
        let final = try JSONValue.parse(Array(h.output.snapshots[1].utf8))
        #expect(final.at("window.final")?.bool == true)
        #expect(final.at("traffic.readings")?.int == 1)
    }

    @Test func provisionalSnapshotBeforeAnyEventWritesNothing() {
        let h = CoreHarness()
        h.processor.aggregator.provisionalSnapshot()
        #expect(h.output.provisional.isEmpty)
        #expect(h.output.snapshots.isEmpty)
    }

    @Test func idleAdvanceClosesWindowsEmptyOnesIncludedAndRaisesOfflineAlerts() throws {
        let h = CoreHarness(lateness: 0)
        h.feed(traffic("08:00:10", sensor: "L-1") + "\n", finish: false)
        #expect(h.output.snapshots.isEmpty)
        let mark = try #require(h.processor.aggregator.watermark)
        // Seven quiet minutes of wall clock: windows 08:00 … 08:06 close, the sensor goes offline (TTL 5 m).
        h.processor.aggregator.advanceWatermark(to: mark + 420_000_000_000)
        let snaps = h.output.snapshotValues
        #expect(snaps.count == 7)
        #expect(snaps[0].at("traffic.readings")?.int == 1)
        #expect(snaps[1].at("traffic.readings")?.int == 0)
        #expect(snaps[6].at("window.end")?.string == "2026-11-22T08:07:00Z")
        #expect(snaps[6].at("traffic.sensors_offline")?.int == 1)
        #expect(h.output.alerts.contains { $0.contains(#""id":"sensor.offline:L-1""#) })
        // The watermark never goes back; an event in a closed window is late.
        h.processor.aggregator.advanceWatermark(to: mark)
        #expect(h.processor.aggregator.watermark == mark + 420_000_000_000)
        h.feed(traffic("08:03:00", sensor: "L-1") + "\n", finish: false)
        #expect(h.counts.late == 1)
    }

    /// The same final snapshots with or without `--every`'s provisional one of the window.
    @Test(arguments: [false, true])
    func theWindowTheWatermarkIsInAfterAnIdleAdvanceClosesAtTheEnd(provisional: Bool) throws {
        let h = CoreHarness(lateness: 0)
        h.feed(traffic("08:00:10") + "\n", finish: false)
        let mark = try #require(h.processor.aggregator.watermark)
        // Two quiet minutes: 08:00 and 08:01 close; the watermark is in 08:02, past the last event.
        h.processor.aggregator.advanceWatermark(to: mark + 120_000_000_000)
        if provisional { h.processor.aggregator.provisionalSnapshot() }
        #expect(h.output.provisional.count == (provisional ? 1 : 0))
        #expect(h.output.snapshots.count == 2)
        h.processor.endSource()
        h.processor.finish()
        // The end of input closes it: the last word on 08:02 is final.
        let snaps = h.output.snapshotValues
        #expect(snaps.count == 3)
        #expect(snaps.last?.at("window.start")?.string == "2026-11-22T08:02:00Z")
        #expect(snaps.last?.at("window.final") == .bool(true))
    }

    @Test func idleAdvanceBeforeAnyEventDoesNothing() {
        let h = CoreHarness()
        h.processor.aggregator.advanceWatermark(to: 1_000_000_000_000)
        #expect(h.processor.aggregator.watermark == nil)
        #expect(h.output.snapshots.isEmpty)
    }

    @Test func liveFiguresFollowTheSevenCountsInPipeline() throws {
        let h = CoreHarness(lateness: 0)
        let wall: Int64 = 1_763_800_000_000_000_000 + 90_000_000_000
        h.processor.aggregator.liveFigures = {
            LiveFigures(ringFill: 0.12345, wallClock: wall, subscribers: (connected: 2, dropped: 1))
        }
        h.feed(traffic("08:00:10") + "\n")
        let json = h.output.snapshots[0]
        #expect(json.contains(#""dropped":0,"ring_fill":0.123,"watermark_lag_ms":"#))
        let s = try JSONValue.parse(Array(json.utf8))
        let mark = try #require(h.processor.aggregator.watermark)
        #expect(s.at("pipeline.watermark_lag_ms")?.int == Int((wall - mark) / 1_000_000))
        #expect(s.at("pipeline.subscribers")?.int == 2)
        #expect(s.at("pipeline.subscribers_dropped")?.int == 1)
        // Without a live run the section is exactly the SPEC's seven counts.
        let plain = CoreHarness(lateness: 0)
        plain.feed(traffic("08:00:10") + "\n")
        #expect(plain.output.snapshots[0].contains(#""dropped":0},"field_reports""#))
    }
}

/// A metric line at an RFC 3339 `ts`.
private func metric(at ts: String, name: String = "x.up", value: String = "1") -> String {
    "{\"kind\":\"metric\",\"ts\":\"\(ts)\",\"name\":\"\(name)\",\"value\":\(value)}"
}

@Suite("The ends of the time range and of the numbers")
struct RangeEdgeTests {
    @Test(arguments: [(Int64(60_000_000_000), 9), (86_400_000_000_000, 1)])
    func windowsAtTheEarliestInstantsStartThere(window: Int64, snapshots: Int) throws {
        let h = CoreHarness(window: window)
        h.feed(
            [
                metric(at: "1677-09-21T00:12:43.145224193Z"), metric(at: "1677-09-21T00:20:00Z"),
                report(at: "1677-09-21T00:20:01Z", id: "r1", text: "cháy"),
            ].joined(separator: "\n") + "\n")
        let snaps = h.output.snapshotValues
        #expect(snaps.count == snapshots)
        // The first window would start before the earliest instant: it starts there instead.
        #expect(snaps.first?.at("window.start")?.string == "1677-09-21T00:12:43.145224192Z")
        #expect(snaps.map { $0.at("metrics")?["x.up"]?["count"]?.int ?? 0 }.reduce(0, +) == 2)
        #expect(h.counts.accepted == 3)
    }

    @Test func theWindowAtTheLatestInstantClosesOnce() {
        let h = CoreHarness(lateness: 0, now: .max)
        h.feed(metric(at: "2262-04-11T23:47:16.854775807Z") + "\n" + metric(at: "2262-04-11T23:47:16Z") + "\n")
        let snaps = h.output.snapshotValues
        #expect(snaps.count == 1)
        #expect(snaps.first?.at("window.end")?.string == "2262-04-11T23:47:16.854775807Z")
        #expect(h.counts.late == 1)
    }

    @Test func aDueTimePastTheRangeIsNeverReached() {
        // 23:30 plus fire's one-hour SLA is past 2262-04-11T23:47:16Z: the report is never overdue (a wrapped
        // sum would have made it overdue at once, due in 1677).
        let h = CoreHarness(lateness: 0, now: .max)
        h.feed(
            report(at: "2262-04-11T23:30:00Z", id: "r1", text: "cháy") + "\n" + metric(at: "2262-04-11T23:47:00Z")
                + "\n")
        #expect(!h.output.alerts.contains { $0.contains("report.overdue") })
        #expect(h.output.snapshotValues.allSatisfy { $0.at("field_reports.overdue")?.int == 0 })
        #expect(h.output.snapshotValues.last?.at("field_reports.open")?.int == 1)
    }

    @Test func vehiclesAddUpPastSixtyFourBits() throws {
        // 1,030 readings of 2^53 vehicles each (the largest integer a member takes) is more than Int64 holds.
        let line = traffic("08:00:10", vehicles: 9_007_199_254_740_992)
        let h = CoreHarness()
        h.feed(Array(repeating: line, count: 1030).joined(separator: "\n") + "\n")
        let json = try #require(h.output.snapshots.first)
        #expect(json.contains("\"readings\":1030,\"vehicles\":9277415232383221760,"))
        #expect(json.components(separatedBy: "\"vehicles\":9277415232383221760").count == 4)  // window, 15m, 60m
    }

    @Test func theMeanOfValuesWhoseSumOverflowsIsStillTheirMean() throws {
        let h = CoreHarness()
        let huge = ["1e308", "1e308", "1.5e308"].map { metric(at: "2026-11-22T08:00:10Z", name: "x.load", value: $0) }
        h.feed(huge.joined(separator: "\n") + "\n")
        let s = try #require(h.output.snapshotValues.first)
        let mean = try #require(s.at("metrics")?["x.load"]?["mean"]?.number)
        #expect(abs(mean - 1.1666666666666667e308) <= 1e293)  // (1 + 1 + 1.5) / 3 × 1e308
        #expect(s.at("rolling.15m.metrics")?["x.load"]?["mean"]?.number == mean)
    }
}

private func report(at ts: String, id: String, text: String) -> String {
    "{\"kind\":\"field_report\",\"ts\":\"\(ts)\",\"id\":\"\(id)\",\"status\":\"new\",\"text\":\"\(text)\"}"
}
