import Foundation
import IOCCore
import IOCTestSupport
import Testing

@Suite("Suricata EVE adapter")
struct SuricataEVEAdapterTests {
    static let folder = "suricata"

    static var files: [URL] {
        guard let dir = AdapterTest.realdata(folder) else { return [] }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.filter { $0.hasSuffix(".ndjson") }.sorted().map { dir.appendingPathComponent($0) }
    }

    /// Expected security events by priority, computed with Foundation's JSON parser (independently of the
    /// adapter): alert severity 1 → 5 (P1), 2 → 3 (P2), 3+ → 2 (P3); anomaly → 2 (P3).
    static func expectedPriorities(_ data: Data) throws -> (priorities: [String: Int], tracked: Int, lines: Int) {
        var counts = ["P1": 0, "P2": 0, "P3": 0, "P4": 0]
        var tracked = 0
        var lines = 0
        for line in data.split(separator: UInt8(ascii: "\n")) where !line.allSatisfy({ $0 == 0x20 || $0 == 0x0D }) {
            lines += 1
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any])
            switch object["event_type"] as? String {
            case "alert":
                let severity = ((object["alert"] as? [String: Any])?["severity"] as? Int) ?? 3
                counts[severity == 1 ? "P1" : severity == 2 ? "P2" : "P3"]! += 1
                tracked += 1
            case "anomaly":
                counts["P3"]! += 1
                tracked += 1
            default:
                break
            }
        }
        return (counts, tracked, lines)
    }

    @Test("Every real EVE file: no rejected line, alerts by priority as counted independently")
    func realFiles() throws {
        let files = Self.files
        guard !files.isEmpty else { return }
        var checkedWithAlerts = 0
        for file in files {
            let data = try Data(contentsOf: file)
            let expected = try Self.expectedPriorities(data)
            let harness = AdapterTest.wideHarness()
            AdapterTest.feed(harness, bytes: Array(data))
            let counts = harness.counts
            let name = file.lastPathComponent
            #expect(counts.rejected == 0, "\(name): \(counts.rejectedByReason)")
            #expect(counts.lines == expected.lines, "\(name)")
            #expect(counts.accepted + counts.ignored == counts.lines, "\(name)")
            #expect(counts.accepted == expected.tracked, "\(name)")
            #expect(counts.late == 0, "\(name)")
            #expect(harness.output.deadLetters.isEmpty, "\(name)")
            for p in ["P1", "P2", "P3", "P4"] {
                #expect(
                    AdapterTest.sum(harness, "security.by_priority.\(p)") == expected.priorities[p]!, "\(name) \(p)")
            }
            #expect(AdapterTest.sum(harness, "security.by_route.infosec") == expected.tracked, "\(name)")
            if expected.tracked > 0 { checkedWithAlerts += 1 }
        }
        #expect(checkedWithAlerts >= 2)
    }

    @Test("The same files forced with --format eve")
    func forcedFormat() throws {
        for file in Self.files {
            let harness = AdapterTest.wideHarness(format: .eve)
            AdapterTest.feed(harness, bytes: Array(try Data(contentsOf: file)))
            #expect(harness.counts.rejected == 0, "\(file.lastPathComponent)")
        }
    }

    @Test("Mapping of one alert: sensor, type, severity, offset without colon")
    func alertFields() {
        let line =
            #"{"timestamp":"2022-02-08T09:40:29.080710-0500","flow_id":1,"in_iface":"eth0","event_type":"alert","#
            + #""alert":{"action":"allowed","signature_id":2001219,"severity":1,"metadata":{"x":[1,{"severity":9}]}},"#
            + #""host":"sensor-7"}"#
        let a = AdapterTest.validate(line)
        #expect(a.outcome == .accepted)
        #expect(a.event.kind == .security)
        #expect(a.key == "sensor-7")
        #expect(a.subject == "ids_alert")
        #expect(a.event.severity == 5)
        #expect(a.time == "2022-02-08T14:40:29.080710Z")
    }

    @Test(
        "Sensor, severity and type mapping",
        arguments: [
            (#""in_iface":"eth1","event_type":"alert","alert":{"severity":2}"#, "eth1", "ids_alert", 3),
            (#""event_type":"alert","alert":{"severity":3}"#, "suricata", "ids_alert", 2),
            (#""event_type":"alert","alert":{"severity":4}"#, "suricata", "ids_alert", 2),
            (#""event_type":"alert","alert":{"signature":"x"}"#, "suricata", "ids_alert", 2),
            (
                #""host":"","in_iface":"eth0","event_type":"anomaly","anomaly":{"type":"decode"}"#, "eth0",
                "ids_anomaly", 2
            ),
        ])
    func mapping(members: String, sensor: String, type: String, severity: Int) {
        let a = AdapterTest.validate(#"{"timestamp":"2019-01-02T03:50:11.315110","# + members + "}")
        #expect(a.outcome == .accepted)
        #expect(a.key == sensor)
        #expect(a.subject == type)
        #expect(a.event.severity == severity)
        #expect(a.time == "2019-01-02T03:50:11.315110Z")  // no offset: UTC
    }

    @Test(
        "Rejections and ignored records",
        arguments: [
            (#"{"timestamp":"2022-02-08T09:40:29-0500","event_type":"flow","flow":{}}"#, "ignored"),
            (#"{"timestamp":"not a time","event_type":"stats"}"#, "ignored"),
            (#"{"timestamp":"2022-02-08T09:40:29-05","event_type":"alert","alert":{"severity":1}}"#, "bad_timestamp"),
            (#"{"timestamp":1644331229,"event_type":"alert"}"#, "bad_type:timestamp"),
            (#"{"timestamp":"2022-02-08T09:40:29Z","event_type":7}"#, "bad_type:event_type"),
            (#"{"timestamp":"2022-02-08T09:40:29Z","event_type":"alert","alert":[]}"#, "bad_type:alert"),
            (
                #"{"timestamp":"2022-02-08T09:40:29Z","event_type":"alert","alert":{"severity":"1"}}"#,
                "bad_type:alert.severity"
            ),
            (
                #"{"timestamp":"2022-02-08T09:40:29Z","event_type":"alert","alert":{"severity":0}}"#,
                "bad_value:alert.severity"
            ),
            (#"{"timestamp":"2090-02-08T09:40:29Z","event_type":"alert","alert":{"severity":1}}"#, "accepted"),
        ])
    func rejections(line: String, expected: String) {
        let a = AdapterTest.validate(line)
        switch a.outcome {
        case .accepted: #expect(expected == "accepted")
        case .ignored: #expect(expected == "ignored")
        case .rejected(let r): #expect(r.description == expected)
        }
    }

    @Test("Future check applies to adapted lines")
    func future() {
        var validator = EventValidator()
        var event = Event()
        var strings: [UInt8] = []
        var bytes = Array(#"{"timestamp":"2030-01-01T00:00:00+0000","event_type":"alert"}"#.utf8)
        let now: Int64 = 1_795_348_800_000_000_000  // 2026-11-22T12:00:00Z
        let outcome = bytes.withUnsafeMutableBytes {
            validator.validate(UnsafeRawBufferPointer($0), base: 0, now: now, into: &event, strings: &strings)
        }
        #expect(outcome == .rejected(.future))
    }
}
