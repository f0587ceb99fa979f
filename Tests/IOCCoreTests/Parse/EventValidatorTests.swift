import IOCCore
import Testing

/// Validates one line with a wall clock of 2026-11-22T12:00:00Z.
private func outcome(_ line: String) -> LineOutcome {
    var validator = EventValidator()
    var event = Event()
    var strings: [UInt8] = []
    let now: Int64 = 1_795_348_800_000_000_000  // 2026-11-22T12:00:00Z
    var bytes = Array(line.utf8)
    return bytes.withUnsafeMutableBytes {
        validator.validate(UnsafeRawBufferPointer($0), base: 0, now: now, into: &event, strings: &strings)
    }
}

private let ts = "\"ts\":\"2026-11-22T08:00:00+07:00\""

@Suite("EventValidator")
struct EventValidatorTests {
    @Test("Field.count is the number of fields (per-field tables are sized by it)")
    func fieldCount() {
        #expect(Field.count == Field.allCases.count)
        #expect(Field.allCases.last.map { Int($0.rawValue) + 1 } == Field.count)
    }

    /// The native members of SPEC §2: the names `Field.lookup` knows (the adapters' names are looked up apart).
    static let nativeFields: [Field] = Field.allCases.filter { $0.rawValue <= Field.unit.rawValue }

    @Test("Field.lookup finds every native member name and nothing else, whatever byte differs")
    func fieldLookupIsExact() {
        func lookup(_ bytes: [UInt8]) -> Field? { bytes.withUnsafeBytes { Field.lookup($0) } }
        for field in Field.allCases {
            let name = Array(field.name.utf8)
            #expect(lookup(name) == (Self.nativeFields.contains(field) ? field : nil), "\(field.name)")
        }
        let names = Set(Self.nativeFields.map(\.name))
        for field in Self.nativeFields {
            let name = Array(field.name.utf8)
            // Every byte changed in turn (the word compare must cover each one), one byte more or less, and the
            // name inside a longer buffer (only the key's own bytes count).
            for i in name.indices {
                var changed = name
                changed[i] ^= 0x20
                #expect(names.contains(String(decoding: changed, as: UTF8.self)) || lookup(changed) == nil)
            }
            #expect(lookup(name + [0x73]) == nil, "\(field.name)s")
            #expect(lookup(Array(name.dropLast())) == nil || names.contains(String(field.name.dropLast())))
            let padded = [0x22] + name + [0x22, 0x3A, 0x31, 0x7D, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20]
            let found = padded.withUnsafeBytes {
                Field.lookup(UnsafeRawBufferPointer(rebasing: $0[1..<1 + name.count]))
            }
            #expect(found == field)
        }
        #expect(lookup([]) == nil)
        #expect(lookup([0x74]) == nil)
        #expect(lookup(Array("speed_kmh_average".utf8)) == nil)
    }

    /// One row per rejection reason the validator gives (SPEC §7), plus the member it names.
    @Test(
        "Rejections",
        arguments: [
            ("{\"kind\":\"traffic\",", "malformed_json"),
            ("{\"kind\":\"metric\",\(ts),\"name\":\"m\",\"value\":NaN}", "malformed_json"),
            ("{\"kind\":\"metric\",\(ts),\"name\":\"m\",\"value\":1,}", "malformed_json"),
            ("{\"kind\":\"metric\",\(ts),\"name\":\"m\",\"value\":01}", "malformed_json"),
            ("[1,2,3]", "not_object"),
            ("\"field_report\"", "not_object"),
            ("{\"kind\":\"weather\",\(ts)}", "unknown_kind"),
            ("{\(ts),\"name\":\"m\",\"value\":1}", "missing_field:kind"),
            ("{\"kind\":7,\(ts)}", "bad_type:kind"),
            ("{\"kind\":\"metric\",\"name\":\"m\",\"value\":1}", "missing_field:ts"),
            ("{\"kind\":\"metric\",\"ts\":1700000000,\"name\":\"m\",\"value\":1}", "bad_type:ts"),
            ("{\"kind\":\"metric\",\"ts\":\"2026-02-30T08:00:00Z\",\"name\":\"m\",\"value\":1}", "bad_timestamp"),
            ("{\"kind\":\"metric\",\"ts\":\"2026-11-22 08:00:00\",\"name\":\"m\",\"value\":1}", "bad_timestamp"),
            ("{\"kind\":\"metric\",\"ts\":\"2026-11-22T24:00:00Z\",\"name\":\"m\",\"value\":1}", "bad_timestamp"),
            ("{\"kind\":\"metric\",\"ts\":\"2026-11-22T12:05:01Z\",\"name\":\"m\",\"value\":1}", "future"),
            ("{\"kind\":\"metric\",\(ts),\"district\":5,\"name\":\"m\",\"value\":1}", "bad_type:district"),
            ("{\"kind\":\"field_report\",\(ts),\"status\":\"new\",\"text\":\"x\"}", "missing_field:id"),
            ("{\"kind\":\"field_report\",\(ts),\"id\":\"\",\"status\":\"new\",\"text\":\"x\"}", "bad_value:id"),
            ("{\"kind\":\"field_report\",\(ts),\"id\":\"r\",\"status\":\"done\"}", "bad_value:status"),
            ("{\"kind\":\"field_report\",\(ts),\"id\":\"r\",\"status\":\"new\"}", "missing_field:text"),
            ("{\"kind\":\"field_report\",\(ts),\"id\":\"r\",\"status\":\"new\",\"text\":[\"x\"]}", "bad_type:text"),
            (
                "{\"kind\":\"field_report\",\(ts),\"id\":\"r\",\"status\":\"new\",\"text\":\"x\",\"lat\":91}",
                "bad_value:lat"
            ),
            (
                "{\"kind\":\"field_report\",\(ts),\"id\":\"r\",\"status\":\"new\",\"text\":\"x\",\"lon\":\"105\"}",
                "bad_type:lon"
            ),
            (
                "{\"kind\":\"field_report\",\(ts),\"id\":\"r\",\"status\":\"new\",\"text\":\"x\",\"photos\":1.5}",
                "bad_type:photos"
            ),
            (
                "{\"kind\":\"field_report\",\(ts),\"id\":\"r\",\"status\":\"new\",\"text\":\"x\",\"photos\":-1}",
                "bad_value:photos"
            ),
            ("{\"kind\":\"traffic\",\(ts),\"vehicles\":1,\"speed_kmh\":30}", "missing_field:sensor"),
            ("{\"kind\":\"traffic\",\(ts),\"sensor\":\"s\",\"speed_kmh\":30}", "missing_field:vehicles"),
            ("{\"kind\":\"traffic\",\(ts),\"sensor\":\"s\",\"vehicles\":-1,\"speed_kmh\":30}", "bad_value:vehicles"),
            ("{\"kind\":\"traffic\",\(ts),\"sensor\":\"s\",\"vehicles\":1e2,\"speed_kmh\":30}", "bad_type:vehicles"),
            (
                "{\"kind\":\"traffic\",\(ts),\"sensor\":\"s\",\"vehicles\":9007199254740993,\"speed_kmh\":30}",
                "bad_value:vehicles"
            ),
            ("{\"kind\":\"traffic\",\(ts),\"sensor\":\"s\",\"vehicles\":1,\"speed_kmh\":301}", "bad_value:speed_kmh"),
            ("{\"kind\":\"traffic\",\(ts),\"sensor\":\"s\",\"vehicles\":1,\"speed_kmh\":null}", "bad_type:speed_kmh"),
            (
                "{\"kind\":\"traffic\",\(ts),\"sensor\":\"s\",\"vehicles\":1,\"speed_kmh\":3,\"occupancy\":1.5}",
                "bad_value:occupancy"
            ),
            (
                "{\"kind\":\"traffic\",\(ts),\"sensor\":\"s\",\"vehicles\":1,\"speed_kmh\":3,\"interval_s\":0}",
                "bad_value:interval_s"
            ),
            ("{\"kind\":\"security\",\(ts),\"sensor\":\"c\"}", "missing_field:type"),
            ("{\"kind\":\"security\",\(ts),\"sensor\":\"c\",\"type\":\"fire\",\"severity\":6}", "bad_value:severity"),
            (
                "{\"kind\":\"security\",\(ts),\"sensor\":\"c\",\"type\":\"fire\",\"severity\":\"high\"}",
                "bad_type:severity"
            ),
            ("{\"kind\":\"service\",\(ts),\"dossier\":\"d\",\"event\":\"received\"}", "missing_field:agency"),
            ("{\"kind\":\"service\",\(ts),\"dossier\":\"d\",\"event\":\"lost\"}", "bad_value:event"),
            (
                "{\"kind\":\"service\",\(ts),\"dossier\":\"d\",\"event\":\"resolved\",\"channel\":\"fax\"}",
                "bad_value:channel"
            ),
            (
                "{\"kind\":\"service\",\(ts),\"dossier\":\"d\",\"event\":\"resolved\",\"due\":\"tomorrow\"}",
                "bad_value:due"
            ),
            ("{\"kind\":\"metric\",\(ts),\"value\":1}", "missing_field:name"),
            ("{\"kind\":\"metric\",\(ts),\"name\":\"m\",\"value\":\"1\"}", "bad_type:value"),
            ("{\"kind\":\"metric\",\(ts),\"name\":\"m\",\"value\":1e999}", "bad_value:value"),
            ("{\"kind\":\"metric\",\(ts),\"name\":\"m\",\"value\":1,\"unit\":3}", "bad_type:unit"),
        ])
    func rejects(line: String, reason: String) {
        guard case .rejected(let r) = outcome(line) else {
            Issue.record("accepted: \(line)")
            return
        }
        #expect(r.description == reason)
    }

    @Test(
        "Accepted",
        arguments: [
            "{\"kind\":\"field_report\",\(ts),\"id\":\"r\",\"status\":\"new\",\"category\":\"fire\"}",
            "{\"kind\":\"field_report\",\(ts),\"id\":\"r\",\"status\":\"resolved\"}",
            "{\"kind\":\"field_report\",\(ts),\"id\":\"r\",\"status\":\"new\",\"text\":\"x\",\"lat\":null,\"extra\":{\"a\":[1,2]}}",
            "{\"kind\":\"traffic\",\"ts\":\"2026-11-22T01:00:00.123456789Z\",\"sensor\":\"s\",\"vehicles\":0,\"speed_kmh\":0}",
            "{\"kind\":\"traffic\",\(ts),\"sensor\":\"s\",\"vehicles\":-0,\"speed_kmh\":300,\"occupancy\":1,\"interval_s\":30}",
            "{\"kind\":\"security\",\(ts),\"sensor\":\"c\",\"type\":\"weird\",\"severity\":5}",
            "{\"kind\":\"service\",\(ts),\"dossier\":\"d\",\"event\":\"received\",\"agency\":\"a\",\"due\":\"2026-12-01T00:00:00Z\"}",
            "{\"kind\":\"metric\",\(ts),\"name\":\"m\",\"value\":-1.5e-3,\"district\":null}",
            "{\"kind\":\"weather\",\(ts),\"kind\":\"metric\",\"name\":\"m\",\"value\":1}",
            "{\"k\\u0069nd\":\"metric\",\(ts),\"name\":\"m\\u00e9\",\"value\":1}",
            "  {\"kind\":\"metric\",\(ts),\"name\":\"m\",\"value\":1}  ",
        ])
    func accepts(line: String) {
        #expect(outcome(line) == .accepted)
    }

    /// SPEC §2: "Wrong JSON types or out-of-range values of the members below reject the line": a report's
    /// members are checked whatever its status, so a `resolved` that carries `"lat":500` is `bad_value:lat`, as a
    /// `new` that does is (the reading a feed checker applies to a line without knowing the report's story).
    @Test(
        arguments: [
            ("resolved", "\"lat\":500", "bad_value:lat"), ("resolved", "\"text\":5", "bad_type:text"),
            ("rejected", "\"photos\":2.0", "bad_type:photos"), ("resolved", "\"ward\":1", "bad_type:ward"),
            ("assigned", "\"category\":5", "bad_type:category"), ("assigned", "\"agency\":5", "bad_type:agency"),
            ("new", "\"text\":\"x\",\"agency\":5", "bad_type:agency"),
        ])
    func aReportsMembersAreCheckedWhateverItsStatus(status: String, member: String, reason: String) {
        let line = "{\"kind\":\"field_report\",\(ts),\"id\":\"r\",\"status\":\"\(status)\",\(member)}"
        guard case .rejected(let r) = outcome(line) else {
            Issue.record("accepted: \(line)")
            return
        }
        #expect(r.description == reason)
    }

    @Test func lastDuplicateMemberWinsAndEscapesAreDecoded() {
        var validator = EventValidator()
        var event = Event()
        var strings: [UInt8] = []
        var bytes = Array(
            #"{"kind":"traffic","ts":"2026-11-22T00:00:00Z","sensor":"a","sensor":"S\u1ed1 1","vehicles":4,"speed_kmh":10}"#
                .utf8)
        let result = bytes.withUnsafeMutableBytes { raw in
            let line = UnsafeRawBufferPointer(raw)
            let o = validator.validate(line, base: 0, now: .max / 2, into: &event, strings: &strings)
            let sensor = strings.withUnsafeBytes { store in
                String(decoding: EventBytes(input: line, strings: store)[event.key], as: UTF8.self)
            }
            return (o, sensor)
        }
        #expect(result.0 == .accepted)
        #expect(result.1 == "Số 1")
        #expect(event.subject == event.key)  // segment defaults to the sensor
        #expect(event.vehicles == 4 && event.speedKmh == 10)
    }

    /// The scanner fills the field table for the keys it recognises; keys it does not (escaped ones) are looked up
    /// after it. Whichever way each was found, the last duplicate must win, on a fresh validator and on one that
    /// has learned the feed's keys.
    @Test func lastDuplicateWinsWhetherTheScannerOrTheLookupFoundItsField() {
        var validator = EventValidator()
        func run(_ line: String) -> (LineOutcome, EventKind) {
            var event = Event()
            var strings: [UInt8] = []
            var bytes = Array(line.utf8)
            let o = bytes.withUnsafeMutableBytes {
                validator.validate(UnsafeRawBufferPointer($0), base: 0, now: .max / 2, into: &event, strings: &strings)
            }
            return (o, event.kind)
        }
        let metric = "\"name\":\"m\",\"value\":1"
        let weather = run("{\"kind\":\"weather\",\(ts),\(metric)}").0
        #expect(weather != .accepted)
        for _ in 0..<3 {  // fresh, then with the keys learned
            #expect(run("{\"kind\":\"weather\",\(ts),\"k\\u0069nd\":\"metric\",\(metric)}") == (.accepted, .metric))
            #expect(run("{\"k\\u0069nd\":\"weather\",\(ts),\"kind\":\"metric\",\(metric)}") == (.accepted, .metric))
            #expect(run("{\"kind\":\"metric\",\(ts),\(metric),\"k\\u0069nd\":\"weather\"}").0 == weather)
            #expect(run("{\"k\\u0069nd\":\"metric\",\(ts),\(metric),\"kind\":\"weather\"}").0 == weather)
            #expect(run("{\"kind\":\"metric\",\(ts),\(metric)}") == (.accepted, .metric))
        }
    }
}
