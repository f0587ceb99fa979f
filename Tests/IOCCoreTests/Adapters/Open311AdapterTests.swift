import Foundation
import IOCCore
import IOCTestSupport
import Testing

@Suite("Open311 adapter")
struct Open311AdapterTests {
    static let folder = "open311/spec_examples"

    static func file(_ name: String) throws -> String? {
        guard let dir = AdapterTest.realdata(folder) else { return nil }
        return try String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)
    }

    /// A document fed as one line (its newlines become spaces, which JSON allows between tokens).
    static func oneLine(_ text: String) -> String {
        text.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
    }

    @Test(
        "Spec examples that are not valid JSON as published are malformed_json",
        arguments: [
            "georeport_v2_spec__json-errors.json",  // an HTTP status line before the JSON
            "georeport_v2_spec__json-service-list.json",  // "service_code":001
            "georeport_v2_spec__json-service-request.json",  // "service_code":006
            "georeport_v2_spec__json-service-requests.json",
        ])
    func malformed(name: String) throws {
        guard let text = try Self.file(name) else { return }
        #expect(AdapterTest.validate(Self.oneLine(text)).reason == "malformed_json")
        #expect(AdapterTest.validate(Self.oneLine(text), format: .open311).reason == "malformed_json")
        #expect((try? JSONValue.parse(Array(text.utf8))) == nil)
    }

    @Test("Valid spec examples: arrays are not_object; their objects map or say what is missing")
    func validExamples() throws {
        let expectations: [(String, String)] = [
            // POST and token responses acknowledge a request: no status, no time, so no lifecycle event.
            ("georeport_v2_spec__json-request-from-token.json", "missing_field:status"),
            ("georeport_v2_spec__json-service-request-post.json", "missing_field:status"),
            // A service definition is not a request.
            ("georeport_v2_spec__json-service-definition.json", "missing_field:kind"),
        ]
        for (name, reason) in expectations {
            guard let text = try Self.file(name) else { return }
            let value = try JSONValue.parse(Array(text.utf8))
            if case .array(let items) = value {
                #expect(AdapterTest.validate(Self.oneLine(text)).reason == "not_object")
                for item in items { #expect(AdapterTest.validate(item.serialized()).reason == reason, "\(name)") }
            } else {
                #expect(AdapterTest.validate(value.serialized()).reason == reason, "\(name)")
            }
        }
    }

    @Test("The service-requests example, with its leading-zero service_code quoted, maps both requests")
    func serviceRequests() throws {
        guard let text = try Self.file("georeport_v2_spec__json-service-requests.json") else { return }
        let repaired = text.replacingOccurrences(of: #""service_code":006"#, with: #""service_code":"006""#)
        let requests = try JSONValue.parse(Array(repaired.utf8)).items
        #expect(requests.count == 2)
        let closed = AdapterTest.validate(requests[0].serialized())
        #expect(closed.outcome == .accepted)
        #expect(closed.event.kind == .fieldReport)
        #expect(closed.key == "638344")
        #expect(closed.event.reportStatus == .resolved)
        #expect(closed.time == "2010-04-14T14:37:38Z")  // updated_datetime
        #expect(closed.text(closed.event.text) == "Sidewalk and Curb Issues")  // description is null
        #expect(closed.event.agency.isAbsent)  // agency_responsible is null
        let open = AdapterTest.validate(requests[1].serialized(), format: .open311)
        #expect(open.outcome == .accepted)
        #expect(open.key == "638349")
        #expect(open.event.reportStatus == .new)
        #expect(open.time == "2010-04-19T14:37:38Z")  // requested_datetime
        #expect(Timestamp.string(open.event.due) == "2010-04-19T14:37:38Z")  // expected_datetime
    }

    @Test("The FIWARE service_requests example (Open311 members in key-values) is an Open311 request")
    func fiwareServiceRequest() throws {
        guard let dir = AdapterTest.realdata("fiware/dataModel.IssueTracking/service_requests/examples") else { return }
        let a = AdapterTest.validate(try AdapterTest.compact(dir.appendingPathComponent("example.json")))
        #expect(a.outcome == .accepted)
        #expect(a.key == "638344")
        #expect(a.event.reportStatus == .resolved)
        #expect(a.text(a.event.text) == "Aceras Acera en mal estado con bordillo partido en dos")
        #expect(a.text(a.event.agency) == "Ayuntamiento de Ciudad")
    }

    @Test("Messy dumps: repeated keys, \"null\" strings, numeric strings, status case")
    func messy() {
        let line =
            #"{"service_request_id":"r-1","status":"closed","status":"OPEN","service_name":"Đèn đường","#
            + #""description":"null","agency_responsible":"NULL","lat":"21.0285","long":105.8542,"#
            + #""requested_datetime":"2026-11-22T08:00:00+07:00","updated_datetime":"null","#
            + #""expected_datetime":"null","address":"1 Tràng Tiền","zipcode":null,"media_url":"null"}"#
        let a = AdapterTest.validate(line)
        #expect(a.outcome == .accepted)
        #expect(a.event.reportStatus == .new)
        #expect(a.text(a.event.text) == "Đèn đường")
        #expect(a.event.agency.isAbsent)
        #expect(a.event.due == .min)
        #expect(a.time == "2026-11-22T01:00:00Z")
        // a closed request with no updated_datetime falls back to requested_datetime
        let closed = AdapterTest.validate(
            #"{"service_request_id":7,"status":"closed","requested_datetime":"2026-11-22T08:00:00+07:00"}"#)
        #expect(closed.outcome == .accepted && closed.key == "7" && closed.event.reportStatus == .resolved)
    }

    @Test(
        "Rejections name the Open311 member",
        arguments: [
            (
                #"{"service_request_id":"r","status":"acknowledged","requested_datetime":"2026-11-22T01:00:00Z"}"#,
                "bad_value:status"
            ),
            (#"{"service_request_id":"r","status":1,"requested_datetime":"2026-11-22T01:00:00Z"}"#, "bad_type:status"),
            (
                #"{"service_request_id":"r","status":"null","requested_datetime":"2026-11-22T01:00:00Z"}"#,
                "missing_field:status"
            ),
            (#"{"service_request_id":"r","status":"open"}"#, "missing_field:requested_datetime"),
            (#"{"service_request_id":"r","status":"closed"}"#, "missing_field:updated_datetime"),
            (#"{"service_request_id":"r","status":"open","requested_datetime":"14/04/2010"}"#, "bad_timestamp"),
            (
                #"{"service_request_id":"r","status":"open","requested_datetime":"2026-11-22T01:00:00Z","expected_datetime":"soon"}"#,
                "bad_value:expected_datetime"
            ),
            (
                #"{"service_request_id":"r","status":"open","requested_datetime":"2026-11-22T01:00:00Z","lat":"north"}"#,
                "bad_value:lat"
            ),
            (
                #"{"service_request_id":"r","status":"open","requested_datetime":"2026-11-22T01:00:00Z","long":181}"#,
                "bad_value:long"
            ),
            (
                #"{"service_request_id":"r","status":"open","requested_datetime":"2026-11-22T01:00:00Z","long":[1]}"#,
                "bad_type:long"
            ),
            (
                #"{"service_request_id":"r","status":"open","requested_datetime":"2026-11-22T01:00:00Z","description":5}"#,
                "bad_type:description"
            ),
            (
                #"{"service_request_id":"","status":"open","requested_datetime":"2026-11-22T01:00:00Z"}"#,
                "missing_field:service_request_id"
            ),
        ])
    func rejections(line: String, reason: String) {
        #expect(AdapterTest.validate(line).reason == reason)
    }

    @Test("Forced --format open311 names the missing id")
    func forcedMissingId() {
        #expect(
            AdapterTest.validate(#"{"status":"open"}"#, format: .open311).reason == "missing_field:service_request_id")
        #expect(AdapterTest.validate(#"{"status":"open"}"#).reason == "missing_field:kind")
    }

    @Test("Lifecycle: open then closed is one report; expected_datetime replaces the category SLA")
    func lifecycle() throws {
        let harness = CoreHarness(window: 1_800_000_000_000)
        let open =
            #"{"service_request_id":"638349","status":"open","service_name":"Pothole","description":"Large pothole","#
            + #""requested_datetime":"2026-11-22T08:00:00+07:00","expected_datetime":"2026-11-22T08:20:00+07:00"}"#
        // moves the watermark past 01:30Z, closing the first window while the request is open
        let tick = #"{"kind":"metric","ts":"2026-11-22T02:00:00Z","name":"portal.up","value":1}"#
        let closed =
            #"{"service_request_id":"638349","status":"closed","service_name":"Pothole","#
            + #""requested_datetime":"2026-11-22T08:00:00+07:00","updated_datetime":"2026-11-22T09:45:00+07:00"}"#
        harness.feed([open, tick, closed].joined(separator: "\n"))
        #expect(harness.counts.accepted == 3)
        let snaps = harness.output.snapshotValues
        #expect(AdapterTest.sum(harness, "field_reports.received") == 1)
        #expect(AdapterTest.sum(harness, "field_reports.resolved") == 1)
        #expect(snaps.first?.at("field_reports.by_category.roads")?.int == 1)
        #expect(snaps.first?.at("field_reports.overdue")?.int == 1)  // due 08:20, not the 72 h roads SLA
        let dispatched = try #require(harness.output.dispatched.first)
        #expect(dispatched.line.contains(#""due":"2026-11-22T01:20:00Z""#))
        #expect(harness.output.alerts.contains { $0.contains("report.overdue:638349") })
    }
}
