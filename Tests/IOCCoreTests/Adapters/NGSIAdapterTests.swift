import Foundation
import IOCCore
import IOCTestSupport
import Testing

@Suite("FIWARE NGSI adapter")
struct NGSIAdapterTests {
    static let traffic = "fiware/dataModel.Transportation/TrafficFlowObserved/examples"
    static let alert = "fiware/dataModel.Alert/Alert/examples"

    static func example(_ folder: String, _ name: String) throws -> String? {
        guard let dir = AdapterTest.realdata(folder) else { return nil }
        return try AdapterTest.compact(dir.appendingPathComponent(name))
    }

    @Test(
        "TrafficFlowObserved examples (v2 and LD, key-values and normalized) map to one traffic reading",
        arguments: [
            ("example.json", "TrafficFlowObserved-Valladolid-osm-60821110", 300),
            ("example-normalized.json", "TrafficFlowObserved-Valladolid-osm-60821110", 300),
            ("example.jsonld", "urn:ngsi-ld:TrafficFlowObserved:TrafficFlowObserved-Valladolid-osm-60821110", 300),
            // LD normalized writes dateObserved as an instant (the start); dateObservedTo gives the end.
            (
                "example-normalized.jsonld",
                "urn:ngsi-ld:TrafficFlowObserved:TrafficFlowObserved-Valladolid-osm-60821110",
                60
            ),
        ])
    func trafficFlowObserved(file: String, id: String, interval: Int) throws {
        guard let line = try Self.example(Self.traffic, file) else { return }
        let a = AdapterTest.validate(line)
        #expect(a.outcome == .accepted)
        #expect(a.event.kind == .traffic)
        #expect(a.key == id)
        #expect(a.subject == id)  // no refRoadSegment: the sensor is its own segment
        #expect(a.event.vehicles == 197)
        #expect(a.event.speedKmh == 52.6)
        #expect(a.event.occupancy == 0.76)
        #expect(a.time == "2016-12-07T11:15:00Z")
        #expect(a.event.intervalS == Int64(interval))
        #expect(a.district == "Valladolid")
        #expect(AdapterTest.validate(line, format: .ngsi).outcome == .accepted)
    }

    @Test(
        "Alert examples: traffic jam → traffic field report",
        arguments: [
            ("example.json", "Alert:1"), ("example-normalized.json", "Alert:1"), ("example-1.json", "Alert:1"),
            ("example.jsonld", "urn:ngsi-ld:Alert:Alert:1"), ("example-normalized.jsonld", "urn:ngsi-ld:Alert:Alert:1"),
        ])
    func trafficAlert(file: String, id: String) throws {
        guard let line = try Self.example(Self.alert, file) else { return }
        let a = AdapterTest.validate(line)
        #expect(a.outcome == .accepted)
        #expect(a.event.kind == .fieldReport)
        #expect(a.event.reportStatus == .new)
        #expect(a.key == id)
        #expect(a.text(a.event.category) == "traffic")
        #expect(a.text(a.event.text) == "The road is completely blocked for 3kms")
        #expect(a.time == "2017-01-02T09:25:55Z")

        let harness = CoreHarness()
        harness.feed(line)
        let snapshot = try #require(harness.output.snapshotValues.last)
        #expect(snapshot.at("field_reports.by_category.traffic")?.int == 1)
        #expect(snapshot.at("field_reports.by_agency.transport")?.int == 1)
        #expect(harness.output.dispatched.first?.route == "transport")
    }

    @Test("Alert example-2: a camera's robbery alert → security event")
    func securityAlert() throws {
        guard let line = try Self.example(Self.alert, "example-2.json") else { return }
        let a = AdapterTest.validate(line)
        #expect(a.outcome == .accepted)
        #expect(a.event.kind == .security)
        #expect(a.key == "Camera1234")
        #expect(a.subject == "robbery")
        #expect(a.event.severity == 1)  // informational
        #expect(a.time == "2017-04-25T09:25:55Z")
    }

    @Test(
        "Entities that are not tracked are ignored",
        arguments: [
            "fiware/dataModel.Alert/Alert/examples/example-agriAlert.json",  // category agriculture → ignore
            "fiware/dataModel.Alert/Alert/examples/example-geojsonfeature.json",  // a GeoJSON Feature
            "fiware/dataModel.Alert/Anomaly/examples/example.json",
            "fiware/dataModel.Alert/Anomaly/examples/example-normalized.jsonld",
            "fiware/dataModel.IssueTracking/IssueReporting/examples/example.json",
            "fiware/dataModel.IssueTracking/services/examples/example-normalized.json",
            "fiware/dataModel.IssueTracking/service_requests/examples/example-normalized.jsonld",
        ])
    func ignored(path: String) throws {
        guard let root = AdapterTest.realdata("fiware") else { return }
        let url = root.deletingLastPathComponent().appendingPathComponent(path)
        let a = AdapterTest.validate(try AdapterTest.compact(url))
        #expect(a.outcome == .ignored)
    }

    @Test("Alert category mapping of the default rules")
    func alertMapping() {
        func alert(_ category: String, _ sub: String?, severity: String = "high") -> Adapted {
            var line = #"{"id":"a1","type":"Alert","category":""# + category + "\""
            if let sub { line += #","subCategory":""# + sub + "\"" }
            line += #","severity":""# + severity + #"","dateIssued":"2026-11-22T08:00:00+07:00","#
            line += #""description":"x","alertSource":"cam-9"}"#
            return AdapterTest.validate(line)
        }
        let pothole = alert("traffic", "pothole")
        #expect(pothole.event.kind == .fieldReport && pothole.text(pothole.event.category) == "roads")
        let fire = alert("naturalDisaster", "forestFire")
        #expect(fire.event.kind == .security && fire.subject == "fire" && fire.key == "cam-9")
        #expect(fire.event.severity == 4)
        let fight = alert("security", "assault", severity: "critical")
        #expect(fight.subject == "fight" && fight.event.severity == 5)
        let security = alert("security", nil, severity: "odd")
        #expect(security.subject == "security" && security.event.severity == 3)
        let flood = alert("weather", "flood")
        #expect(flood.event.kind == .fieldReport && flood.text(flood.event.category) == "flooding")
        let pollution = alert("environment", "airPollution")
        #expect(pollution.text(pollution.event.category) == "sanitation")
        let health = alert("health", "heartAttack")
        #expect(health.event.kind == .fieldReport && health.event.category.isAbsent)
        #expect(alert("agriculture", "fungus").outcome == .ignored)
        #expect(health.time == "2026-11-22T01:00:00Z")
    }

    @Test("The mapping comes from the rules")
    func customRules() throws {
        let json =
            #"{"adapters":{"ngsi_alert":[{"category":"traffic","kind":"security","type":"traffic_incident","#
            + #""severity":4},{"category":"*","sub_category":"*","kind":"ignore"}]}}"#
        let rules = try RulesCodec.decode(Array(json.utf8)).get()
        let line = #"{"id":"a1","type":"Alert","category":"traffic","dateIssued":"2026-11-22T01:00:00Z"}"#
        let a = AdapterTest.validate(line, rules: rules)
        #expect(a.event.kind == .security && a.subject == "traffic_incident" && a.event.severity == 4)
        #expect(a.key == "a1")
        let other = #"{"id":"a2","type":"Alert","category":"weather","dateIssued":"2026-11-22T01:00:00Z"}"#
        #expect(AdapterTest.validate(other, rules: rules).outcome == .ignored)
    }

    @Test("A bare JSON-LD typed value is unwrapped like a nested one")
    func bareTypedValue() {
        let traffic =
            #"{"id":"t1","type":"TrafficFlowObserved","intensity":1,"averageVehicleSpeed":10,"#
            + #""dateObserved":{"@type":"DateTime","@value":"2026-11-22T00:00:00Z"}}"#
        let a = AdapterTest.validate(traffic)
        #expect(a.outcome == .accepted)
        #expect(a.time == "2026-11-22T00:00:00Z")
        let alert =
            #"{"id":"a1","type":"Alert","category":"traffic","subCategory":"trafficJam","#
            + #""dateIssued":{"@type":"DateTime","@value":"2026-11-22T00:05:00Z"}}"#
        let b = AdapterTest.validate(alert)
        #expect(b.outcome == .accepted)
        #expect(b.time == "2026-11-22T00:05:00Z")
    }

    @Test("Normalized forms, relationships, prefixed names and URIs")
    func normalizedForms() {
        let line =
            #"{"id":"urn:ngsi-ld:TrafficFlowObserved:tfo-1","type":"https://smartdatamodels.org/dataModel.Transportation/TrafficFlowObserved","#
            + #""sdm:intensity":{"type":"Property","value":12.6},"#
            + #""https://smartdatamodels.org/dataModel.Transportation/averageVehicleSpeed":{"type":"Property","value":18},"#
            + #""refRoadSegment":{"type":"Relationship","object":["urn:ngsi-ld:RoadSegment:rs-1","urn:ngsi-ld:RoadSegment:rs-2"]},"#
            + #""dateObserved":{"type":"Property","value":{"@type":"DateTime","@value":"2026-11-22T08:00:00+07:00/2026-11-22T08:05:00+07:00"}},"#
            + #""address":{"type":"Property","value":{"addressLocality":"Hà Nội","district":"Hoàn Kiếm"}},"#
            + #""@context":["https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context.jsonld"]}"#
        let a = AdapterTest.validate(line)
        #expect(a.outcome == .accepted)
        #expect(a.subject == "urn:ngsi-ld:RoadSegment:rs-1")
        #expect(a.event.vehicles == 13)  // rounded to the nearest vehicle
        #expect(a.event.speedKmh == 18)
        #expect(a.event.occupancy.isNaN)
        #expect(a.time == "2026-11-22T01:05:00Z")
        #expect(a.event.intervalS == 300)
        #expect(a.district == "Hoàn Kiếm")
    }

    /// ISO 8601 intervals also come as `start/duration` and `duration/end`: the end is the event time, the length
    /// the reading's `interval_s`. Durations of years or months (no fixed length) and malformed ones are
    /// `bad_timestamp`, like a malformed time.
    @Test(
        arguments: [
            ("2026-11-22T07:10:00Z/PT5M", "2026-11-22T07:15:00Z", 300),
            ("PT5M/2026-11-22T07:15:00Z", "2026-11-22T07:15:00Z", 300),
            ("2026-11-22T07:10:00+07:00/PT1H30M", "2026-11-22T01:40:00Z", 5_400),
            ("2026-11-22T07:10:00Z/P1DT2H", "2026-11-23T09:10:00Z", 93_600),
            ("2026-11-22T07:10:00Z/P1W", "2026-11-29T07:10:00Z", 604_800),
            ("2026-11-22T07:10:00Z/PT90.5S", "2026-11-22T07:11:30.500Z", 90),
            ("2026-11-22T07:10:00Z/PT0,25S", "2026-11-22T07:10:00.250Z", 60),
        ])
    func intervalsWithADuration(observed: String, time: String, seconds: Int) {
        let line =
            #"{"id":"t","type":"TrafficFlowObserved","intensity":5,"averageVehicleSpeed":50,"dateObserved":""#
            + observed + #""}"#
        let a = AdapterTest.validate(line)
        #expect(a.outcome == .accepted, "\(observed)")
        #expect(a.time == time)
        #expect(a.event.intervalS == Int64(seconds))
    }

    @Test(arguments: [
        "2026-11-22T07:10:00Z/P1M", "2026-11-22T07:10:00Z/P1Y", "2026-11-22T07:10:00Z/PT", "2026-11-22T07:10:00Z/P",
        "2026-11-22T07:10:00Z/PT5", "2026-11-22T07:10:00Z/PT5M1H", "2026-11-22T07:10:00Z/P1DT",
        "2026-11-22T07:10:00Z/PT1.5M",
        "2026-11-22T07:10:00Z/PT5M/PT5M", "PT5M/PT5M", "2026-11-22T07:10:00Z/P999999999999999D",
        "2026-11-22T07:10:00Z/pt5m",
    ])
    func badDurations(observed: String) {
        let line =
            #"{"id":"t","type":"TrafficFlowObserved","intensity":5,"averageVehicleSpeed":50,"dateObserved":""#
            + observed + #""}"#
        #expect(AdapterTest.validate(line).outcome == .rejected(.badTimestamp), "\(observed)")
    }

    @Test(
        "Rejections name the NGSI attribute",
        arguments: [
            (
                #"{"id":"t","type":"TrafficFlowObserved","averageVehicleSpeed":50,"dateObserved":"2026-11-22T01:00:00Z"}"#,
                "missing_field:intensity"
            ),
            (
                #"{"id":"t","type":"TrafficFlowObserved","intensity":-1,"averageVehicleSpeed":50,"dateObserved":"2026-11-22T01:00:00Z"}"#,
                "bad_value:intensity"
            ),
            (
                #"{"id":"t","type":"TrafficFlowObserved","intensity":true,"averageVehicleSpeed":50,"dateObserved":"2026-11-22T01:00:00Z"}"#,
                "bad_type:intensity"
            ),
            (
                #"{"id":"t","type":"TrafficFlowObserved","intensity":5,"averageVehicleSpeed":500,"dateObserved":"2026-11-22T01:00:00Z"}"#,
                "bad_value:averageVehicleSpeed"
            ),
            (
                #"{"id":"t","type":"TrafficFlowObserved","intensity":5,"averageVehicleSpeed":50,"occupancy":{"type":"Number","value":76},"dateObserved":"2026-11-22T01:00:00Z"}"#,
                "bad_value:occupancy"
            ),
            (
                #"{"id":"t","type":"TrafficFlowObserved","intensity":5,"averageVehicleSpeed":50}"#,
                "missing_field:dateObserved"
            ),
            (
                #"{"id":"t","type":"TrafficFlowObserved","intensity":5,"averageVehicleSpeed":50,"dateObserved":"2026-11-22T01:00:00Z/yesterday"}"#,
                "bad_timestamp"
            ),
            (
                #"{"id":"t","type":"TrafficFlowObserved","intensity":5,"averageVehicleSpeed":50,"dateObserved":"soon/2026-11-22T01:00:00Z"}"#,
                "bad_timestamp"
            ),
            (
                #"{"id":"t","type":"TrafficFlowObserved","intensity":5,"averageVehicleSpeed":50,"dateObserved":"2026-11-22T01:05:00Z/2026-11-22T01:00:00Z"}"#,
                "bad_value:dateObserved"
            ),
            (
                #"{"id":"","type":"TrafficFlowObserved","intensity":5,"averageVehicleSpeed":50,"dateObserved":"2026-11-22T01:00:00Z"}"#,
                "bad_value:id"
            ),
            (#"{"id":"a","type":"Alert","dateIssued":"2026-11-22T01:00:00Z"}"#, "missing_field:category"),
            (#"{"id":"a","type":"Alert","category":"traffic"}"#, "missing_field:dateIssued"),
            (#"{"id":"a","type":"Alert","category":"traffic","dateIssued":"02/01/2017"}"#, "bad_timestamp"),
        ])
    func rejections(line: String, reason: String) {
        #expect(AdapterTest.validate(line).reason == reason)
    }
}
