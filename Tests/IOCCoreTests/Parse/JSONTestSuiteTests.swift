// Runs JSONScanner and JSONValue.parse over every file of JSONTestSuite's test_parsing folder
// (https://github.com/nst/JSONTestSuite), kept in the shared real-data folder next to the repository.

import Testing

@testable import IOCCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What we expect from one JSONTestSuite file.
enum SuiteExpectation: Sendable, CustomStringConvertible {
    /// A valid JSON text: `.object` or `.notObject(_)`.
    case accept
    /// Rejected as `.malformed`.
    case malformed
    /// Rejected as `.tooDeep` (default `maxDepth` of 512).
    case tooDeep

    var description: String {
        switch self {
        case .accept: "accept"
        case .malformed: "malformed"
        case .tooDeep: "tooDeep"
        }
    }
}

/// Locating and reading the suite without Foundation.
enum JSONTestSuite {
    /// `<repo>/../shared/realdata/JSONTestSuite/test_parsing`, where `<repo>` is three folders above this file's
    /// folder (`Tests/IOCCoreTests/Parse/`).
    static let directory: String = {
        var components = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
        components.removeLast(4)  // JSONTestSuiteTests.swift, Parse, IOCCoreTests, Tests
        return components.joined(separator: "/") + "/../shared/realdata/JSONTestSuite/test_parsing"
    }()

    /// Sorted `.json` file names of the suite, or nil when the folder is missing.
    static let fileNames: [String]? = {
        guard let dir = opendir(directory) else { return nil }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name.hasSuffix(".json") { names.append(name) }
        }
        return names.sorted()
    }()

    /// Suite files starting with `prefix` (`y_`, `n_`, `i_`); empty when the suite is missing.
    static func files(_ prefix: String) -> [String] {
        (fileNames ?? []).filter { $0.hasPrefix(prefix) }
    }

    /// The bytes of a suite file.
    static func read(_ name: String) -> [UInt8]? {
        guard let file = fopen(directory + "/" + name, "rb") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        return bytes
    }

    /// Expected outcome of every implementation-defined (`i_`) file: our decisions.
    static let implementationDefined: [String: SuiteExpectation] = [
        // Huge or tiny numbers are valid syntax; JSONNumber decides later (overflow -> nil, underflow -> 0).
        "i_number_double_huge_neg_exp.json": .accept,
        "i_number_huge_exp.json": .accept,
        "i_number_neg_int_huge_exp.json": .accept,
        "i_number_pos_double_huge_exp.json": .accept,
        "i_number_real_neg_overflow.json": .accept,
        "i_number_real_pos_overflow.json": .accept,
        "i_number_real_underflow.json": .accept,
        "i_number_too_big_neg_int.json": .accept,
        "i_number_too_big_pos_int.json": .accept,
        "i_number_very_big_negative_int.json": .accept,
        // Lone or mismatched UTF-16 surrogate escapes are malformed.
        "i_object_key_lone_2nd_surrogate.json": .malformed,
        "i_string_1st_surrogate_but_2nd_missing.json": .malformed,
        "i_string_1st_valid_surrogate_2nd_invalid.json": .malformed,
        "i_string_incomplete_surrogate_and_escape_valid.json": .malformed,
        "i_string_incomplete_surrogate_pair.json": .malformed,
        "i_string_incomplete_surrogates_escape_valid.json": .malformed,
        "i_string_invalid_lonely_surrogate.json": .malformed,
        "i_string_invalid_surrogate.json": .malformed,
        "i_string_inverted_surrogates_U+1D11E.json": .malformed,
        "i_string_lone_second_surrogate.json": .malformed,
        // Ill-formed UTF-8 in strings is malformed (overlong, encoded surrogate, > U+10FFFF, truncated, Latin-1).
        "i_string_UTF-8_invalid_sequence.json": .malformed,
        "i_string_UTF8_surrogate_U+D800.json": .malformed,
        "i_string_invalid_utf-8.json": .malformed,
        "i_string_iso_latin_1.json": .malformed,
        "i_string_lone_utf8_continuation_byte.json": .malformed,
        "i_string_not_in_unicode_range.json": .malformed,
        "i_string_overlong_sequence_2_bytes.json": .malformed,
        "i_string_overlong_sequence_6_bytes.json": .malformed,
        "i_string_overlong_sequence_6_bytes_null.json": .malformed,
        "i_string_truncated-utf-8.json": .malformed,
        // Only UTF-8 input; a BOM is the framer's business, the scanner rejects it.
        "i_string_UTF-16LE_with_BOM.json": .malformed,
        "i_string_utf16BE_no_BOM.json": .malformed,
        "i_string_utf16LE_no_BOM.json": .malformed,
        "i_structure_UTF-8_BOM_empty_object.json": .malformed,
        // Within the nesting limit of 512 (Python's `json` takes it too).
        "i_structure_500_nested_arrays.json": .accept,
    ]

    /// Scans `bytes` with a default scanner.
    static func scan(_ bytes: [UInt8]) -> JSONScanResult {
        var scanner = JSONScanner()
        return bytes.withUnsafeBytes { scanner.scan($0) }
    }

    /// Whether a scan result means the text was accepted.
    static func accepted(_ result: JSONScanResult) -> Bool {
        switch result {
        case .object, .notObject: true
        case .malformed, .tooDeep: false
        }
    }
}

@Suite("JSONTestSuite (test_parsing)")
struct JSONTestSuiteTests {
    @Test("The suite folder is present")
    func suitePresent() {
        guard let names = JSONTestSuite.fileNames else {
            Issue.record("JSONTestSuite not found at \(JSONTestSuite.directory): skipped")
            return
        }
        #expect(names.count > 300, "expected the full suite (318 files), found \(names.count)")
    }

    @Test("y_ files are accepted", arguments: JSONTestSuite.files("y_"))
    func mustAccept(_ name: String) throws {
        let bytes = try #require(JSONTestSuite.read(name))
        let result = JSONTestSuite.scan(bytes)
        #expect(JSONTestSuite.accepted(result), "\(name): \(result)")
    }

    @Test("n_ files are rejected", arguments: JSONTestSuite.files("n_"))
    func mustReject(_ name: String) throws {
        let bytes = try #require(JSONTestSuite.read(name))
        let result = JSONTestSuite.scan(bytes)
        #expect(!JSONTestSuite.accepted(result), "\(name): \(result)")
    }

    @Test("i_ files give the outcome in our table", arguments: JSONTestSuite.files("i_"))
    func implementationDefined(_ name: String) throws {
        let expected = try #require(JSONTestSuite.implementationDefined[name], "\(name) has no entry in the i_ table")
        let bytes = try #require(JSONTestSuite.read(name))
        let result = JSONTestSuite.scan(bytes)
        switch expected {
        case .accept: #expect(JSONTestSuite.accepted(result), "\(name): \(result)")
        case .malformed: #expect(result == .malformed, "\(name): \(result)")
        case .tooDeep: #expect(result == .tooDeep, "\(name): \(result)")
        }
    }

    @Test("The i_ table covers every i_ file present, and nothing else")
    func tableCoversEveryImplementationDefinedFile() {
        guard JSONTestSuite.fileNames != nil else {
            Issue.record("JSONTestSuite not found at \(JSONTestSuite.directory): skipped")
            return
        }
        let present = Set(JSONTestSuite.files("i_"))
        let table = Set(JSONTestSuite.implementationDefined.keys)
        let missing = present.subtracting(table).sorted()
        let stale = table.subtracting(present).sorted()
        #expect(missing.isEmpty, "i_ files without an expected outcome: \(missing)")
        #expect(stale.isEmpty, "i_ table entries with no file: \(stale)")
    }

    @Test("JSONValue.parse agrees with JSONScanner.scan", arguments: JSONTestSuite.fileNames ?? [])
    func treeParserAgrees(_ name: String) throws {
        let bytes = try #require(JSONTestSuite.read(name))
        let scanned = JSONTestSuite.scan(bytes)
        let parsed = Result { () throws(JSONSyntaxError) in try JSONValue.parse(bytes) }
        switch (scanned, parsed) {
        case (.object, .success(let value)):
            guard case .object = value else {
                Issue.record("\(name): scan says object, parse gave \(value)")
                return
            }
        case (.notObject(let type), .success(let value)):
            #expect(Self.type(of: value) == type, "\(name): scan \(type), parse \(value)")
        case (.malformed, .failure), (.tooDeep, .failure):
            break
        case (_, .success(let value)):
            Issue.record("\(name): scan rejected (\(scanned)) but parse accepted \(value.serialized())")
        case (_, .failure(let error)):
            Issue.record("\(name): scan accepted (\(scanned)) but parse failed: \(error)")
        }
        if scanned == .tooDeep, case .failure(let error) = parsed {
            #expect(error.message.contains("nesting"), "\(name): \(error)")
        }
    }

    @Test("Accepted files survive a serialise/parse round trip", arguments: JSONTestSuite.files("y_"))
    func roundTrip(_ name: String) throws {
        let bytes = try #require(JSONTestSuite.read(name))
        let value = try JSONValue.parse(bytes)
        let again = try JSONValue.parse(Array(value.serialized().utf8))
        // NaN cannot occur; compare serialisations so -0/0 and duplicate keys are checked verbatim.
        #expect(again.serialized() == value.serialized(), "\(name)")
    }

    /// The `JSONType` of a tree value.
    static func type(of value: JSONValue) -> JSONType {
        switch value {
        case .null: .null
        case .bool(let flag): flag ? .true : .false
        case .number: .number
        case .string: .string
        case .array: .array
        case .object: .object
        }
    }
}
