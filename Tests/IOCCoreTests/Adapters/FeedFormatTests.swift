import Foundation
import IOCCore
import IOCTestSupport
import Testing

/// One line of each format, all on 2026-11-22 around 01:00Z.
enum MixedLines {
    static let native =
        #"{"kind":"traffic","ts":"2026-11-22T08:00:00+07:00","sensor":"s1","vehicles":10,"speed_kmh":50}"#
    static let eve =
        #"{"timestamp":"2026-11-22T08:00:05.5+0700","event_type":"alert","host":"ids-1","alert":{"severity":2}}"#
    static let eveFlow = #"{"timestamp":"2026-11-22T08:00:06+0700","event_type":"flow","flow":{"age":3}}"#
    static let open311 =
        #"{"service_request_id":"o-1","status":"open","service_name":"Ngập","description":"ngập úng sau mưa","#
        + #""requested_datetime":"2026-11-22T08:00:10+07:00"}"#
    static let ngsi =
        #"{"id":"tfo-1","type":"TrafficFlowObserved","intensity":{"type":"Number","value":8},"#
        + #""averageVehicleSpeed":{"type":"Number","value":9},"dateObserved":"2026-11-22T00:59:00Z/2026-11-22T01:00:20Z"}"#
    static let ngsiOther = #"{"id":"w-1","type":"WeatherObserved","temperature":31}"#
    static let unknown = #"{"ts":"2026-11-22T01:00:00Z","name":"m","value":1}"#
}

@Suite("Feed formats")
struct FeedFormatTests {
    @Test("--format auto: one stream mixing native, EVE, Open311 and NGSI lines")
    func mixedAuto() throws {
        let harness = CoreHarness()
        let lines = [
            MixedLines.native, MixedLines.eve, MixedLines.eveFlow, MixedLines.open311, MixedLines.ngsi,
            MixedLines.ngsiOther, MixedLines.unknown,
        ]
        harness.feed(lines.joined(separator: "\n"))
        let counts = harness.counts
        #expect(counts.lines == 7)
        #expect(counts.accepted == 4)
        #expect(counts.ignored == 2)
        #expect(counts.rejectedByReason.map { "\($0.0) \($0.1)" } == ["missing_field:kind 1"])
        let snapshot = try #require(harness.output.snapshotValues.first)
        #expect(snapshot.at("traffic.readings")?.int == 2)
        #expect(snapshot.at("traffic.levels.jam")?.int == 1)
        #expect(snapshot.at("security.by_type.ids_alert")?.int == 1)
        #expect(snapshot.at("security.by_priority.P2")?.int == 1)
        #expect(snapshot.at("field_reports.by_category.flooding")?.int == 1)
    }

    @Test(
        "A forced format reads every line as its own: other formats get its reason",
        arguments: [
            (
                FeedFormat.ioc,
                [
                    "accepted", "missing_field:kind", "missing_field:kind", "missing_field:kind", "missing_field:kind",
                    "missing_field:kind", "missing_field:kind",
                ]
            ),
            (
                FeedFormat.eve,
                [
                    "missing_field:event_type", "accepted", "ignored", "missing_field:event_type",
                    "missing_field:event_type", "missing_field:event_type", "missing_field:event_type",
                ]
            ),
            (
                FeedFormat.open311,
                [
                    "missing_field:service_request_id", "missing_field:service_request_id",
                    "missing_field:service_request_id", "accepted", "missing_field:service_request_id",
                    "missing_field:service_request_id", "missing_field:service_request_id",
                ]
            ),
            (
                FeedFormat.ngsi,
                [
                    "missing_field:type", "missing_field:type", "missing_field:type", "missing_field:type", "accepted",
                    "ignored", "missing_field:type",
                ]
            ),
            (
                FeedFormat.auto,
                ["accepted", "accepted", "ignored", "accepted", "accepted", "ignored", "missing_field:kind"]
            ),
        ])
    func forced(format: FeedFormat, expected: [String]) {
        let lines = [
            MixedLines.native, MixedLines.eve, MixedLines.eveFlow, MixedLines.open311, MixedLines.ngsi,
            MixedLines.ngsiOther, MixedLines.unknown,
        ]
        let got = lines.map { line -> String in
            switch AdapterTest.validate(line, format: format).outcome {
            case .accepted: "accepted"
            case .ignored: "ignored"
            case .rejected(let r): r.description
            }
        }
        #expect(got == expected)
    }

    @Test("BatchParser takes the format (the threaded runtime's parse stage)")
    func batchParser() {
        var parser = BatchParser(rules: .default, maxLine: 1 << 20, maxFuture: AdapterTest.farFuture, format: .eve)
        let text = [MixedLines.eve, MixedLines.eveFlow, MixedLines.native].joined(separator: "\n")
        let batch = Batch(capacity: 4096)
        let bytes = Array(text.utf8)
        bytes.withUnsafeBytes { batch.storage.copyMemory(from: $0) }
        batch.count = bytes.count
        parser.parse(batch)
        #expect(batch.outcomes.count == 3)
        if case .event(let i) = batch.outcomes[0] {
            #expect(batch.events[Int(i)].kind == .security)
        } else {
            Issue.record("the EVE alert was not an event: \(batch.outcomes[0])")
        }
        if case .ignored = batch.outcomes[1] {} else { Issue.record("flow not ignored: \(batch.outcomes[1])") }
        if case .rejected(let reason, _, _, _) = batch.outcomes[2] {
            #expect(reason.description == "missing_field:event_type")
        } else {
            Issue.record("native line not rejected: \(batch.outcomes[2])")
        }
        #expect(FeedFormat(rawValue: "open311") == .open311)
    }

    @Test("Rules: the adapters section round-trips and is checked with paths")
    func rules() throws {
        let printed = RulesCodec.encode(.default)
        #expect(printed.contains(#""ngsi_alert""#))
        #expect(try RulesCodec.decode(Array(printed.utf8)).get() == .default)
        let bad =
            #"{"adapters":{"ngsi_alert":[{"category":"traffic","kind":"report"},"#
            + #"{"kind":"field_report","report_category":"nowhere","type":"x"},{"kind":"security","severity":9},"#
            + #"{"kind":"ignore","colour":"red"}],"other":1}}"#
        guard case .failure(let failure) = RulesCodec.decode(Array(bad.utf8)) else {
            Issue.record("bad adapters section accepted")
            return
        }
        let messages = failure.errors.map(\.description)
        #expect(messages.contains { $0.hasPrefix("$.adapters.other: unknown member") })
        #expect(
            messages.contains(
                #"$.adapters.ngsi_alert[0].kind: expected field_report, security or ignore, got "report""#))
        #expect(messages.contains(#"$.adapters.ngsi_alert[1].report_category: unknown category "nowhere""#))
        #expect(messages.contains("$.adapters.ngsi_alert[1].type: only for kind security"))
        #expect(messages.contains("$.adapters.ngsi_alert[2].severity: expected an integer from 1 to 5"))
        #expect(messages.contains { $0.hasPrefix("$.adapters.ngsi_alert[3].colour: unknown member") })
    }

    @Test("Reloaded rules change the NGSI mapping of a LineProcessor")
    func reload() throws {
        let harness = CoreHarness()
        var rules = Rules.default
        rules.adapters.ngsiAlert = [NGSIAlertRule(action: .ignore)]
        harness.processor.reload(rules)
        harness.feed(#"{"id":"a","type":"Alert","category":"traffic","dateIssued":"2026-11-22T01:00:00Z"}"#)
        #expect(harness.counts.ignored == 1)
    }
}
