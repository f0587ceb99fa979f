// Unit tests for the hot-path JSON scanner and its helpers (JSONString, JSONNumber) and for JSONValue.

import IOCTestSupport
import Testing

@testable import IOCCore

/// Test helpers: run closures over the bytes of literals.
enum JSONTestBytes {
    /// Scans `bytes` with a fresh scanner, returning the result and the members.
    static func scan(_ bytes: [UInt8], maxDepth: Int = 512) -> (JSONScanResult, [JSONMember]) {
        var scanner = JSONScanner(maxDepth: maxDepth)
        let result = bytes.withUnsafeBytes { scanner.scan($0) }
        return (result, scanner.members)
    }

    static func scan(_ text: String, maxDepth: Int = 512) -> (JSONScanResult, [JSONMember]) {
        scan(Array(text.utf8), maxDepth: maxDepth)
    }

    /// The text of `bytes[start..<end]`.
    static func text(_ bytes: [UInt8], _ start: Int32, _ end: Int32) -> String {
        String(decoding: bytes[Int(start)..<Int(end)], as: UTF8.self)
    }

    /// The decoded text of a raw string range.
    static func unescaped(_ bytes: [UInt8], _ start: Int32, _ end: Int32) -> String {
        var out: [UInt8] = []
        bytes.withUnsafeBytes { raw in
            JSONString.unescape(UnsafeRawBufferPointer(rebasing: raw[Int(start)..<Int(end)]), into: &out)
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func double(_ token: String) -> Double? {
        Array(token.utf8).withUnsafeBytes { JSONNumber.double($0) }
    }

    static func integer(_ token: String) -> JSONInteger {
        Array(token.utf8).withUnsafeBytes { JSONNumber.integer($0) }
    }
}

@Suite("JSONScanner")
struct JSONScannerTests {
    typealias T = JSONTestBytes

    static let sample =
        #"{ "id" : "evt-1", "k\"ey":"a\nb\u00e9", "n":-12.5e3,"#
        + #""nested":{"x":[1,{"y":null}],"z":"w"}, "ok":true, "no":false, "id":"evt-2", "arr":[ ] }"#

    @Test("Member offsets of a sample object")
    func memberOffsets() {
        let bytes = Array(Self.sample.utf8)
        let (result, members) = T.scan(bytes)
        #expect(result == .object)
        #expect(members.count == 8)
        guard members.count == 8 else { return }

        let keys = members.map { T.text(bytes, $0.keyStart, $0.keyEnd) }
        #expect(keys == ["id", #"k\"ey"#, "n", "nested", "ok", "no", "id", "arr"])
        #expect(members.map(\.keyHasEscapes) == [false, true, false, false, false, false, false, false])
        #expect(members.map(\.type) == [.string, .string, .number, .object, .true, .false, .string, .array])

        let values = members.map { T.text(bytes, $0.valueStart, $0.valueEnd) }
        #expect(
            values == [
                "evt-1", #"a\nb\u00e9"#, "-12.5e3", #"{"x":[1,{"y":null}],"z":"w"}"#, "true", "false", "evt-2", "[ ]",
            ])
        #expect(members.map(\.valueHasEscapes) == [false, true, false, false, false, false, false, false])

        // String ranges sit between the quotes; key ends are the closing quotes.
        for member in members {
            #expect(bytes[Int(member.keyStart) - 1] == UInt8(ascii: "\""))
            #expect(bytes[Int(member.keyEnd)] == UInt8(ascii: "\""))
            if member.type == .string {
                #expect(bytes[Int(member.valueStart) - 1] == UInt8(ascii: "\""))
                #expect(bytes[Int(member.valueEnd)] == UInt8(ascii: "\""))
            }
        }

        // Decoding escapes, and the "last duplicate wins" convention.
        #expect(T.unescaped(bytes, members[1].keyStart, members[1].keyEnd) == #"k"ey"#)
        #expect(T.unescaped(bytes, members[1].valueStart, members[1].valueEnd) == "a\nbé")
        let lastID = members.last { T.text(bytes, $0.keyStart, $0.keyEnd) == "id" }
        #expect(lastID.map { T.text(bytes, $0.valueStart, $0.valueEnd) } == "evt-2")

        bytes.withUnsafeBytes { raw in
            #expect(JSONString.equals(members[0].key(in: raw), "id"))
            #expect(!JSONString.equals(members[0].key(in: raw), "i"))
            #expect(!JSONString.equals(members[0].key(in: raw), "ix"))
            #expect(JSONString.equals(members[3].key(in: raw), "nested"))
            #expect(JSONString.equals(members[0].value(in: raw), "evt-1"))
            #expect(JSONNumber.double(members[2].value(in: raw)) == -12500)
        }
    }

    @Test("members(ofObjectIn:) and elements(ofArrayIn:) on nested values")
    func nestedMembers() {
        let bytes = Array(Self.sample.utf8)
        var scanner = JSONScanner()
        bytes.withUnsafeBytes { raw in
            #expect(scanner.scan(raw) == .object)
            let nested = scanner.members[3]
            var inner: [JSONMember] = []
            JSONScanner.members(ofObjectIn: raw, start: Int(nested.valueStart), end: Int(nested.valueEnd), into: &inner)
            #expect(inner.map { T.text(bytes, $0.keyStart, $0.keyEnd) } == ["x", "z"])
            #expect(inner.map(\.type) == [.array, .string])
            #expect(inner.map { T.text(bytes, $0.valueStart, $0.valueEnd) } == [#"[1,{"y":null}]"#, "w"])

            var elements: [JSONMember] = []
            JSONScanner.elements(
                ofArrayIn: raw, start: Int(inner[0].valueStart), end: Int(inner[0].valueEnd),
                into: &elements)
            #expect(elements.map(\.type) == [.number, .object])
            #expect(elements.map { T.text(bytes, $0.valueStart, $0.valueEnd) } == ["1", #"{"y":null}"#])
            #expect(elements.allSatisfy { $0.keyStart == $0.valueStart && $0.keyEnd == $0.valueStart })

            // The members of the innermost object, and an empty array.
            JSONScanner.members(
                ofObjectIn: raw, start: Int(elements[1].valueStart), end: Int(elements[1].valueEnd),
                into: &inner)
            #expect(inner.count == 1 && inner[0].type == .null)
            let empty = scanner.members[7]
            JSONScanner.elements(
                ofArrayIn: raw, start: Int(empty.valueStart), end: Int(empty.valueEnd), into: &elements)
            #expect(elements.isEmpty)
        }
    }

    @Test("The trusting walkers agree with the scanner on the top level")
    func walkersAgreeWithScan() {
        let text = #" {"a" : [ "x\"]" , {"b":"}"} , -0.5e-3 ] , "c\u0041" : "v\\" , "d":{} } "#
        let bytes = Array(text.utf8)
        let (result, members) = T.scan(bytes)
        #expect(result == .object)
        var walked: [JSONMember] = []
        bytes.withUnsafeBytes { raw in
            let start = bytes.firstIndex(of: UInt8(ascii: "{"))!
            let end = bytes.lastIndex(of: UInt8(ascii: "}"))! + 1
            JSONScanner.members(ofObjectIn: raw, start: start, end: end, into: &walked)
        }
        #expect(walked == members)
    }

    @Test("Top-level values that are not objects")
    func notObjects() {
        #expect(T.scan("[1,2]").0 == .notObject(.array))
        #expect(T.scan(" \"s\" ").0 == .notObject(.string))
        #expect(T.scan("-0").0 == .notObject(.number))
        #expect(T.scan("true").0 == .notObject(.true))
        #expect(T.scan("false\r\n").0 == .notObject(.false))
        #expect(T.scan("\tnull").0 == .notObject(.null))
        #expect(T.scan("1e999").0 == .notObject(.number))
        #expect(T.scan("{}") == (.object, []))
    }

    @Test("A scanner reuses its members buffer and clears it on failure")
    func reuse() {
        var scanner = JSONScanner()
        let good = Array(#"{"a":1,"b":2}"#.utf8)
        let bad = Array(#"{"a":1,"b":}"#.utf8)
        #expect(good.withUnsafeBytes { scanner.scan($0) } == .object)
        #expect(scanner.members.count == 2)
        let capacity = scanner.memberCapacity
        #expect(bad.withUnsafeBytes { scanner.scan($0) } == .malformed)
        #expect(scanner.members.isEmpty)
        #expect(good.withUnsafeBytes { scanner.scan($0) } == .object)
        #expect(scanner.members.count == 2)
        #expect(scanner.memberCapacity == capacity)
        #expect([UInt8]().withUnsafeBytes { scanner.scan($0) } == .malformed)
    }

    /// Lines whose keys a scanner learns: the five kinds (and their variants), keys at the very end, long and
    /// escaped keys, whitespace, duplicates, an adapter's format, more members than a shape remembers.
    static let shapeLines: [String] = [
        #"{"kind":"traffic","ts":"2026-12-01T13:05:35+07:00","district":"Tây Hồ","sensor":"TS-1","vehicles":4}"#,
        #"{"kind":"traffic","ts":"2026-12-01T13:05:35+07:00","district":"Tây Hồ","sensor":"TS-2","speed_kmh":35.3}"#,
        #"{"kind":"field_report","ts":"2026-12-01T13:05:35Z","id":"PA-1","status":"new","text":"Ổ gà","lat":21.0}"#,
        #"{"kind":"field_report","ts":"2026-12-01T13:05:35Z","id":"PA-1","status":"resolved","interval_s":1}"#,
        #"{"kind":"service","ts":"2026-12-01T13:05:35Z","dossier":"D-1","event":"received","due":"2026-12-02"}"#,
        #"{"kind":"security","ts":"2026-12-01T13:05:35Z","sensor":"C-1","type":"fire","severity":5}"#,
        #"{"kind":"metric","ts":"2026-12-01T13:05:35Z","name":"cpu","value":0.5,"system":"portal","unit":"%"}"#,
        #"{"kind":"metric","ts":"x","averageVehicleSpeed":1,"refRoadSegment":"a","kind":"x","kind":"y"}"#,
        #"{ "kind" : "traffic" , "ts":"t","district" :"d","sensor": "s","vehicles":1 }"#,
        #"{"event_type":"alert","timestamp":"2026-12-01T13:05:35.123+0700","alert":{"severity":1},"host":"h"}"#,
        #"{"a":1,"b":2,"c":3,"d":4,"e":5,"f":6,"g":7,"h":8,"i":9,"j":10,"k":11,"l":12,"m":13,"n":14,"o":15,"#
            + #""p":16,"q":17,"r":18,"s":19,"t":20,"u":21,"v":22,"w":23,"x":24,"y":25,"z":26,"ts":27}"#,
        // Keys of 13 to 17 bytes: with quote and colon, 16 bytes is the longest a shape remembers.
        #"{"abcdefghijklm":1,"abcdefghijklmn":2,"abcdefghijklmno":3,"abcdefghijklmnop":4,"abcdefghijklmnopq":5}"#,
        #"{"":1,"ts":2}"#,
        #"{"ts":1}"#,
        #"{"id":"x","id":"y"}"#,
    ]

    @Test("Keys learned from earlier lines change no result, member or field: every line as a fresh scanner sees it")
    func learnedKeysChangeNothing() {
        var learned = JSONScanner()
        var checked = 0
        func check(_ line: [UInt8]) {
            let (fresh, freshMembers) = T.scan(line)
            let result = line.withUnsafeBytes { learned.scan($0) }
            #expect(result == fresh, "\(String(decoding: line, as: UTF8.self))")
            #expect(learned.members == freshMembers, "\(String(decoding: line, as: UTF8.self))")
            // A member's field, when the scanner gives one, is the one its key names.
            for m in learned.members where m.fieldHint != -2 {
                #expect(!m.keyHasEscapes)
                let named = line.withUnsafeBytes {
                    Field.lookup(UnsafeRawBufferPointer(rebasing: $0[Int(m.keyStart)..<Int(m.keyEnd)]))
                }
                #expect(m.fieldHint == (named.map { Int8($0.rawValue) } ?? -1))
            }
            checked += 1
        }
        // Every line twice (the second time its keys are known), then each byte of each line changed to each of a
        // few telling values, or dropped, right after the line itself was seen.
        for text in Self.shapeLines + Self.shapeLines {
            check(Array(text.utf8))
        }
        let replacements: [UInt8?] = [0x22, 0x3A, 0x20, 0x00, 0x5C, 0x80, 0x7D, 0x78, 0x0A, nil]
        for text in Self.shapeLines {
            let line = Array(text.utf8)
            for i in line.indices {
                for replacement in replacements {
                    check(line)
                    var changed = line
                    if let replacement { changed[i] = replacement } else { changed.remove(at: i) }
                    check(changed)
                }
            }
        }
        #expect(checked > 20_000)
        // The learned keys were used: the last line's known keys come with their fields.
        let known = Array(#"{"kind":"metric","ts":"x","name":"n","value":1}"#.utf8)
        _ = known.withUnsafeBytes { learned.scan($0) }
        _ = known.withUnsafeBytes { learned.scan($0) }
        #expect(learned.members.map(\.fieldHint) == [Field.kind, .ts, .name, .value].map { Int8($0.rawValue) })
    }

    @Test("Nesting: 512 levels are accepted, 513 are too deep")
    func depthLimit() {
        func nested(_ depth: Int, open: String = "[", close: String = "]") -> String {
            String(repeating: open, count: depth) + String(repeating: close, count: depth)
        }
        #expect(T.scan(nested(512)).0 == .notObject(.array))
        #expect(T.scan(nested(513)).0 == .tooDeep)
        let objects512 = String(repeating: #"{"a":"#, count: 511) + "{}" + String(repeating: "}", count: 511)
        #expect(T.scan(objects512).0 == .object)
        let objects513 = String(repeating: #"{"a":"#, count: 512) + "{}" + String(repeating: "}", count: 512)
        #expect(T.scan(objects513).0 == .tooDeep)
        #expect(T.scan(nested(3), maxDepth: 3).0 == .notObject(.array))
        #expect(T.scan(nested(4), maxDepth: 3).0 == .tooDeep)
        // Unterminated deep input is reported as too deep, without deep recursion.
        #expect(T.scan(String(repeating: "[", count: 100_000)).0 == .tooDeep)

        #expect((try? JSONValue.parse(Array(nested(512).utf8))) != nil)
        #expect(throws: JSONSyntaxError.self) { try JSONValue.parse(Array(nested(513).utf8)) }
    }

    /// One rejected input per row.
    static let rejections: [(String, [UInt8])] = [
        ("trailing comma in an array", Array("[1,2,]".utf8)),
        ("trailing comma in an object", Array(#"{"a":1,}"#.utf8)),
        ("leading zero", Array("[01]".utf8)),
        ("NaN", Array("[NaN]".utf8)),
        ("Infinity", Array("[-Infinity]".utf8)),
        ("plus sign", Array("[+1]".utf8)),
        ("fraction without integer part", Array("[.5]".utf8)),
        ("fraction without digits", Array("[1.]".utf8)),
        ("exponent without digits", Array("[1e+]".utf8)),
        ("raw control char in a string", Array("[\"a\tb\"]".utf8)),
        ("raw newline in a key", Array("{\"a\nb\":1}".utf8)),
        ("invalid UTF-8 byte", [0x5B, 0x22, 0xFF, 0x22, 0x5D]),
        ("overlong UTF-8", [0x5B, 0x22, 0xC0, 0xAF, 0x22, 0x5D]),
        ("UTF-8-encoded surrogate", [0x5B, 0x22, 0xED, 0xA0, 0x80, 0x22, 0x5D]),
        ("above U+10FFFF", [0x5B, 0x22, 0xF4, 0x90, 0x80, 0x80, 0x22, 0x5D]),
        ("truncated UTF-8", [0x5B, 0x22, 0xE2, 0x82, 0x22, 0x5D]),
        ("lone continuation byte", [0x5B, 0x22, 0x80, 0x22, 0x5D]),
        ("two-byte lead then ASCII", [0x5B, 0x22, 0xC3, 0x41, 0x22, 0x5D]),
        ("three-byte lead cut by the quote", [0x5B, 0x22, 0xE1, 0xBA, 0x22, 0x5D]),
        ("three-byte lead with an ASCII second byte", [0x5B, 0x22, 0xE1, 0x41, 0x80, 0x22, 0x5D]),
        ("two-byte lead ending a key", [0x7B, 0x22, 0xC3, 0x22, 0x3A, 0x31, 0x7D]),
        ("three-byte lead ending an object value", [0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0xE1, 0xBB, 0x22, 0x7D]),
        ("bad escape", Array(#"["\x"]"#.utf8)),
        ("short \\u escape", Array(#"["\u12"]"#.utf8)),
        ("lone high surrogate", Array(#"["\uD800"]"#.utf8)),
        ("high surrogate then non-surrogate", Array(#"["\uD800\u0041"]"#.utf8)),
        ("lone low surrogate", Array(#"["\uDC00"]"#.utf8)),
        ("BOM", [0xEF, 0xBB, 0xBF, 0x7B, 0x7D]),
        ("NUL after the value", [0x7B, 0x7D, 0x00]),
        ("NUL inside a string", [0x5B, 0x22, 0x00, 0x22, 0x5D]),
        ("garbage after the value", Array("{} x".utf8)),
        ("two values", Array("{}{}".utf8)),
        ("form feed as whitespace", Array("\u{0C}{}".utf8)),
        ("single-quoted string", Array("['a']".utf8)),
        ("unquoted key", Array("{a:1}".utf8)),
        ("missing colon", Array(#"{"a" 1}"#.utf8)),
        ("unterminated string", Array(#"{"a":"b}"#.utf8)),
        ("unclosed object", Array(#"{"a":1"#.utf8)),
        ("misspelt literal", Array("[tru]".utf8)),
        ("empty input", []),
        ("whitespace only", Array(" \n".utf8)),
    ]

    @Test("Rejected inputs", arguments: rejections)
    func rejected(_ name: String, _ bytes: [UInt8]) {
        #expect(T.scan(bytes).0 == .malformed, "\(name)")
        #expect(throws: JSONSyntaxError.self, "\(name)") { try JSONValue.parse(bytes) }
    }

    @Test("Accepted edge cases")
    func acceptedEdgeCases() {
        let accepted: [[UInt8]] = [
            Array(#"["\uD83D\uDE00", "\u0000", "\/", "é€😀", "\u00e9"]"#.utf8),
            [0x5B, 0x22, 0xF4, 0x8F, 0xBF, 0xBF, 0x22, 0x5D],  // U+10FFFF
            [0x5B, 0x22, 0xEF, 0xBF, 0xBF, 0x22, 0x5D],  // U+FFFF
            Array("[-0, 0.0e-0, 1E+2, 123456789012345678901234567890]".utf8),
            Array(" \t\r\n{ \"a\" :\n[ ] }\n".utf8),
            Array(#"{"a":1,"a":2}"#.utf8),
            Array(#"["a long ASCII string for the eight-byte fast path, ending exactly here", "12345678"]"#.utf8),
        ]
        for bytes in accepted {
            let result = T.scan(bytes).0
            #expect(result != .malformed && result != .tooDeep, "\(String(decoding: bytes, as: UTF8.self))")
        }
    }
}

@Suite("JSONString")
struct JSONStringTests {
    typealias T = JSONTestBytes

    static func unescape(_ raw: String) -> [UInt8] {
        var out: [UInt8] = [0x2A]  // appends, never clears
        Array(raw.utf8).withUnsafeBytes { JSONString.unescape($0, into: &out) }
        return Array(out.dropFirst())
    }

    @Test("Every escape decodes to the right UTF-8")
    func everyEscape() {
        #expect(Self.unescape(#"\"\\\/\b\f\n\r\t"#) == [0x22, 0x5C, 0x2F, 0x08, 0x0C, 0x0A, 0x0D, 0x09])
        #expect(Self.unescape(#"\u0000\u0041\u007F"#) == [0x00, 0x41, 0x7F])
        #expect(Self.unescape(#"\u00e9\u00E9"#) == [0xC3, 0xA9, 0xC3, 0xA9])
        #expect(Self.unescape(#"\u20AC"#) == [0xE2, 0x82, 0xAC])
        #expect(Self.unescape(#"\uFFFF"#) == [0xEF, 0xBF, 0xBF])
        #expect(Self.unescape(#"\uD83D\uDE00"#) == [0xF0, 0x9F, 0x98, 0x80])  // U+1F600
        #expect(Self.unescape(#"\uD834\uDD1E"#) == [0xF0, 0x9D, 0x84, 0x9E])  // U+1D11E
        #expect(Self.unescape(#"\uDBFF\uDFFF"#) == [0xF4, 0x8F, 0xBF, 0xBF])  // U+10FFFF
        #expect(Self.unescape(#"a\nb c\u00e9d"#) == Array("a\nb c\u{e9}d".utf8))
        #expect(Self.unescape("plain é text") == Array("plain é text".utf8))
        #expect(Self.unescape("") == [])
    }

    @Test("equals compares raw bytes with a StaticString")
    func equals() {
        let cases: [(String, Bool)] = [("type", true), ("typ", false), ("types", false), ("Type", false)]
        for (raw, expected) in cases {
            #expect(Array(raw.utf8).withUnsafeBytes { JSONString.equals($0, "type") } == expected, "\(raw)")
        }
        let long = "a-rather-long-key-name"
        #expect(Array(long.utf8).withUnsafeBytes { JSONString.equals($0, "a-rather-long-key-name") })
        #expect(!Array(long.utf8).withUnsafeBytes { JSONString.equals($0, "a-rather-long-key-namE") })
        #expect([UInt8]().withUnsafeBytes { JSONString.equals($0, "") })
        // Every length through two words and a tail, a difference at each byte.
        let literals: [StaticString] = [
            "a", "ab", "abc", "abcd", "abcde", "abcdef", "abcdefg", "abcdefgh", "abcdefghi", "abcdefghij",
            "abcdefghijk", "abcdefghijkl", "abcdefghijklm", "abcdefghijklmn", "abcdefghijklmno", "abcdefghijklmnop",
            "abcdefghijklmnopq",
        ]
        for literal in literals {
            let bytes = literal.withUTF8Buffer { Array($0) }
            #expect(bytes.withUnsafeBytes { JSONString.equals($0, literal) }, "\(literal)")
            for i in bytes.indices {
                var changed = bytes
                changed[i] ^= 0x20
                #expect(!changed.withUnsafeBytes { JSONString.equals($0, literal) }, "\(literal) at \(i)")
            }
            #expect(!(bytes + [0x61]).withUnsafeBytes { JSONString.equals($0, literal) }, "\(literal) longer")
            #expect(!bytes.dropLast().withUnsafeBytes { JSONString.equals($0, literal) }, "\(literal) shorter")
        }
    }
}

@Suite("JSONNumber")
struct JSONNumberTests {
    typealias T = JSONTestBytes

    @Test(
        "double is exact",
        arguments: [
            ("0", 0.0), ("1", 1.0), ("-1", -1.0), ("0.1", 0.1), ("1e22", 1e22), ("1e23", 1e23),
            ("9007199254740992", 9007199254740992.0), ("9007199254740993", 9007199254740992.0),
            ("5e-324", .leastNonzeroMagnitude), ("1.7976931348623157e308", 1.7976931348623157e308),
            ("2.2250738585072011e-308", Double(bitPattern: 0x000F_FFFF_FFFF_FFFF)), ("123.456e-7", 123.456e-7),
            ("52.520008", 52.520008), ("1E+2", 100.0), ("12345678901234567890123", 12345678901234567890123.0),
            ("0.000000000000000000000000000001", 1e-30), ("9007199254740991e20", 9007199254740991e20),
            ("8e30", 8e30), ("1e-400", 0.0), ("-0.0e5", -0.0),
        ])
    func double(_ token: String, _ expected: Double) throws {
        let value = try #require(T.double(token), "\(token)")
        #expect(value.bitPattern == expected.bitPattern, "\(token): \(value) != \(expected)")
    }

    @Test("short decimals (the fast path) equal Swift's correctly rounded parse, digit counts 1 to 17")
    func shortDecimalsAgreeWithSwift() {
        var rng = SplitMix64(seed: 0xD0_0B1E)
        var mismatches: [String] = []
        for _ in 0..<20_000 {
            let integerDigits = Int(rng.next() % 9) + 1
            let fractionDigits = Int(rng.next() % 9)
            var token = rng.next() % 4 == 0 ? "-" : ""
            for i in 0..<integerDigits {
                // A leading zero only as the whole integer part ("0.25"), as JSON requires.
                let d = i == 0 && integerDigits > 1 ? rng.next() % 9 + 1 : rng.next() % 10
                token += String(d)
            }
            if fractionDigits > 0 {
                token += "."
                for _ in 0..<fractionDigits { token += String(rng.next() % 10) }
            }
            let expected = Double(token)!
            if T.double(token)?.bitPattern != expected.bitPattern { mismatches.append(token) }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
    }

    @Test("double keeps the sign of zero and rejects non-finite values")
    func signAndOverflow() {
        #expect(T.double("-0")?.bitPattern == (-0.0).bitPattern)
        #expect(T.double("0")?.bitPattern == (0.0).bitPattern)
        #expect(T.double("1e999") == nil)
        #expect(T.double("-1e999") == nil)
        #expect(T.double("1.8e308") == nil)
        #expect(T.double("") == nil)
        #expect(T.double("-") == nil)
        #expect(T.double("1e") == nil)
        #expect(T.double("1x") == nil)
    }

    @Test(
        "integer",
        arguments: [
            ("5", JSONInteger.value(5)), ("-5", .value(-5)), ("0", .value(0)), ("-0", .value(0)),
            ("5.0", .notInteger), ("1e2", .notInteger), ("1E2", .notInteger),
            ("9007199254740992", .value(9_007_199_254_740_992)), ("-9007199254740992", .value(-9_007_199_254_740_992)),
            ("9007199254740993", .outOfRange), ("-9007199254740993", .outOfRange),
            ("123456789012345678901234567890", .outOfRange), ("123456789012345678901234567890.5", .notInteger),
        ])
    func integer(_ token: String, _ expected: JSONInteger) {
        #expect(T.integer(token) == expected, "\(token)")
    }
}

@Suite("JSONValue")
struct JSONValueTests {
    @Test("Parse builds the tree; subscript takes the last duplicate")
    func parse() throws {
        let text = #"{"a":[1,2.5,"x\u00e9\n"],"b":{"c":null},"d":true,"a":false}"#
        let value = try JSONValue.parse(Array(text.utf8))
        #expect(value["a"] == .bool(false))
        #expect(value["b"]?["c"] == .null)
        #expect(value["missing"] == nil)
        #expect(JSONValue.array([])["a"] == nil)
        guard case .object(let members) = value else {
            Issue.record("not an object")
            return
        }
        #expect(members.map(\.key) == ["a", "b", "d", "a"])
        #expect(members[0].value == .array([.number(1), .number(2.5), .string("x\u{e9}\n")]))
        // Any Collection<UInt8> works, contiguous or not.
        #expect(try JSONValue.parse(text.utf8) == value)
    }

    @Test("Serialisation is compact, ordered and round-trips")
    func serialization() throws {
        let value = JSONValue.object([
            JSONObjectMember(key: "s", value: .string("q\"b\\n\n r\r t\t b\u{8} f\u{C} \u{1} \u{1F} é😀 /")),
            JSONObjectMember(
                key: "n",
                value: .array([
                    .number(0), .number(-0.0), .number(42), .number(-7), .number(9_007_199_254_740_992), .number(0.1),
                    .number(1e22), .number(1.5), .number(.leastNonzeroMagnitude), .number(.infinity),
                ])),
            JSONObjectMember(key: "z", value: .null),
            JSONObjectMember(key: "a", value: .bool(true)),
            JSONObjectMember(key: "a", value: .object([])),
        ])
        let text = value.serialized()
        #expect(
            text == #"{"s":"q\"b\\n\n r\r t\t b\b f\f \u0001 \u001f é😀 /","#
                + #""n":[0,-0,42,-7,9007199254740992,0.1,1e+22,1.5,5e-324,1e999],"z":null,"a":true,"a":{}}"#)
        let again = try JSONValue.parse(Array(text.utf8))
        #expect(again == value)
        #expect(again.serialized() == text)
        #expect(JSONValue.number(.nan).serialized() == "null")
    }

    @Test(
        "Errors carry offset, line, column and a message",
        arguments: [
            ("{\"a\":1\n \"b\":2}", 8, 2, 2, "expected ',' or '}' after an object member"),
            ("[1,2\n,3 x]", 8, 2, 4, "expected ',' or ']' after an array element"),
            ("{\n  \"a\" 1}", 8, 2, 7, "expected ':' after an object key, found '1'"),
            ("[1,]", 3, 1, 4, "trailing comma: expected a value after ','"),
            ("{\"a\":1,}", 7, 1, 8, "trailing comma: expected a string key after ','"),
            ("[01]", 1, 1, 2, "leading zeros are not allowed in numbers"),
            ("[NaN]", 1, 1, 2, "unexpected 'N', expected a value"),
            ("\n\n  [\"\\q\"]", 6, 3, 5, "invalid escape sequence"),
            ("[\"\\uD800\"]", 2, 1, 3, "lone UTF-16 surrogate in a \\u escape"),
            ("[\"a\tb\"]", 3, 1, 4, "unescaped control character (byte 0x09) in a string"),
            ("{} {}", 3, 1, 4, "unexpected '{' after the JSON value"),
            ("", 0, 1, 1, "unexpected end of input, expected a value"),
            ("\u{FEFF}{}", 0, 1, 1, "a UTF-8 byte-order mark is not allowed"),
            ("[[[1]]]", 2, 1, 3, "nesting deeper than 2 levels"),
        ])
    func errors(_ text: String, _ offset: Int, _ line: Int, _ column: Int, _ message: String) {
        let maxDepth = message.hasPrefix("nesting") ? 2 : 64
        #expect(throws: JSONSyntaxError(offset: offset, line: line, column: column, message: message)) {
            try JSONValue.parse(Array(text.utf8), maxDepth: maxDepth)
        }
    }

    @Test("Invalid UTF-8 is reported with its position")
    func invalidUTF8() {
        let bytes: [UInt8] = [0x7B, 0x0A, 0x22, 0x61, 0xC3, 0x28, 0x22, 0x3A, 0x31, 0x7D]
        #expect(throws: JSONSyntaxError(offset: 4, line: 2, column: 3, message: "invalid UTF-8 in a string")) {
            try JSONValue.parse(bytes)
        }
        let error = JSONSyntaxError(offset: 4, line: 2, column: 3, message: "invalid UTF-8 in a string")
        #expect(error.description == "line 2, column 3: invalid UTF-8 in a string")
    }

    /// Byte sequences of one to four bytes around every UTF-8 boundary: leads of each class followed by bytes at
    /// the edges of the continuation range and beyond it.
    static let utf8Probes: [[UInt8]] = {
        let edges: [UInt8] = [
            0x00, 0x1F, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC2, 0xE1, 0xED, 0xF0, 0xFF,
        ]
        var probes: [[UInt8]] = (0x80...0xFF).map { [UInt8($0)] }
        for lead in 0xC0...0xDF { for b in edges { probes.append([UInt8(lead), b]) } }
        for lead in 0xE0...0xEF { for b in edges { for c in edges { probes.append([UInt8(lead), b, c]) } } }
        for lead in 0xF0...0xF7 {
            for b in edges {
                for c: UInt8 in [0x41, 0x80, 0xBF] {
                    for d: UInt8 in [0x41, 0x80, 0xBF] {
                        probes.append([UInt8(lead), b, c, d])
                    }
                }
            }
        }
        // Two letters back to back (the sixteen-byte masks see them together), and a letter cut by the quote.
        probes += [
            [0xC3, 0xA9, 0xE1, 0xBB, 0x87], [0xE1, 0xBB, 0x87, 0xC3, 0xA9], [0xE1, 0xBB, 0xC3, 0xA9],
            [0xC3, 0xE1, 0xBB, 0x87],
        ]
        return probes
    }()

    @Test("Multi-byte letters at every place of the sixteen-byte string steps: accepted exactly when well-formed")
    func utf8AtEveryOffset() {
        var checked = 0
        for probe in Self.utf8Probes {
            for offset in 0..<20 {
                for tail: [UInt8] in [[], Array("ệ ab".utf8), Array("bcdefghijklmnopqrstu".utf8)] {
                    let content = [UInt8](repeating: 0x61, count: offset) + probe + tail
                    let valid = String(validating: content, as: UTF8.self) != nil && !content.contains { $0 < 0x20 }
                    let object = Array(#"{"k":""#.utf8) + content + Array(#""}"#.utf8)
                    let (result, members) = JSONTestBytes.scan(object)
                    #expect((result == .object) == valid, "\(content) in an object")
                    if valid, let member = members.first {
                        #expect(Int(member.valueEnd - member.valueStart) == content.count, "\(content)")
                    }
                    let array = Array(#"[1,""#.utf8) + content + Array(#""]"#.utf8)
                    #expect((JSONTestBytes.scan(array).0 == .notObject(.array)) == valid, "\(content) in an array")
                    checked += 1
                }
            }
        }
        #expect(checked > 100_000)
    }

    @Test("The string step's mask finds the first byte needing a look, with SSE2 and without (other architectures)")
    func specialMaskWithAndWithoutSSE2() {
        // Bytes around every boundary the masks test: controls, space, `"`, `\`, DEL, continuation and lead bytes.
        let alphabet: [UInt8] = [
            0x00, 0x09, 0x1F, 0x20, 0x21, 0x22, 0x23, 0x5B, 0x5C, 0x5D, 0x61, 0x7F, 0x80, 0xBF, 0xC3, 0xE1, 0xFF,
        ]
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(truncatingIfNeeded: state >> 33)
        }
        var window = [UInt8](repeating: 0x61, count: 16)
        var found = [Int](repeating: 0, count: 17)
        for round in 0..<20_000 {
            for i in 0..<16 { window[i] = 0x61 }
            // One to three special-looking bytes at random places, the rest plain letters.
            for _ in 0...(round % 3) { window[next() % 16] = alphabet[next() % alphabet.count] }
            let expected = window.firstIndex { $0 == 0x22 || $0 == 0x5C || $0 < 0x20 || $0 >= 0x80 } ?? 16
            window.withUnsafeBytes { raw in
                let sse = JSONByte.stringSpecialMask16(raw.baseAddress!)
                let words = JSONByte.stringSpecialMask16Words(raw.baseAddress!)
                #expect(min(16, sse.trailingZeroBitCount) == expected, "\(window)")
                #expect(min(16, words.trailingZeroBitCount) == expected, "\(window)")
            }
            found[expected] += 1
        }
        // Every place was the first special byte at least once, and a window without one was seen.
        #expect(found.allSatisfy { $0 > 0 }, "\(found)")
    }
}
