import Foundation
import Testing

@testable import IOCCore

/// The source of `VietnameseText+Precomputed.swift` for `tables`, grouped the way swift-format wants hex literals.
private func precomputedSource(_ tables: (entries: [VietnameseText.Letter], markBits: [String: UInt64])) -> String {
    func hex<T: FixedWidthInteger>(_ value: T) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        guard digits.count > 4 else { return "0x" + digits }
        var groups: [Substring] = []
        var end = digits.endIndex
        while end > digits.startIndex {
            let start = digits.index(end, offsetBy: -4, limitedBy: digits.startIndex) ?? digits.startIndex
            groups.insert(digits[start..<end], at: 0)
            end = start
        }
        return "0x" + groups.joined(separator: "_")
    }
    func rows(_ values: [String], perRow: Int) -> String {
        stride(from: 0, to: values.count, by: perRow).map { i in
            "            " + values[i..<min(i + perRow, values.count)].joined(separator: ", ") + ","
        }.joined(separator: "\n")
    }
    let letters = tables.entries
    let bits = tables.markBits.sorted { $0.value != $1.value ? $0.value < $1.value : $0.key < $1.key }
    return """
        // Generated from `VietnameseText.derivedTables()` by VietnameseTextTests ("the precomputed tables are the
        // derived ones"): do not edit by hand. When that test fails, it writes this file anew to the path it names.

        extension VietnameseText {
            /// `derivedTables()`, precomputed: for every covered scalar, in `Tables.index(of:)` order, the lower-case
            /// base and the mark bits of its letter; and the bit of each mark name.
            static let precomputed: (bases: [UInt32], marks: [UInt64], markBits: [String: UInt64]) = (
                bases: [
        \(rows(letters.map { hex($0.base) }, perRow: 8))
                ],
                marks: [
        \(rows(letters.map { hex($0.marks) }, perRow: 4))
                ],
                markBits: [
        \(bits.map { "            \"\($0.key)\": \(hex($0.value))," }.joined(separator: "\n"))
                ]
            )
        }

        """
}

@Suite("VietnameseText tables")
struct VietnameseTextTests {
    @Test("The precomputed tables are the derived ones (Unicode names of the toolchain's standard library)")
    func precomputedEqualsDerived() throws {
        let derived = VietnameseText.derivedTables()
        let precomputed = VietnameseText.precomputed
        let count = VietnameseText.Tables.count
        var differences: [String] = []
        if precomputed.bases.count != count || precomputed.marks.count != count {
            differences.append("the precomputed tables have \(precomputed.bases.count) entries, not \(count)")
        } else {
            for i in 0..<count {
                let letter = VietnameseText.Letter(base: precomputed.bases[i], marks: precomputed.marks[i])
                if derived.entries[i] != letter {
                    differences.append("entry \(i): derived \(derived.entries[i]), precomputed \(letter)")
                }
                // What the classifier uses is the precomputed table.
                if VietnameseText.tables.entries[i] != letter { differences.append("entry \(i) of `tables`") }
            }
        }
        if derived.markBits != precomputed.markBits { differences.append("the mark bits differ") }
        if !differences.isEmpty {
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("VietnameseText+Precomputed.swift")
            try precomputedSource(derived).write(to: path, atomically: true, encoding: .utf8)
            Issue.record(
                """
                \(differences.count) differences, first: \(differences[0]). The derived tables are in \(path.path): \
                copy it to Sources/IOCCore/Classify/ (it is formatted as swift-format wants).
                """)
        }
    }

    @Test("The tables cover 960 scalars and know đ, ế and a combining acute")
    func spotChecks() {
        let t = VietnameseText.tables
        #expect(VietnameseText.Tables.count == 960)
        let d = t.entries[VietnameseText.Tables.index(of: 0x111)!]
        #expect(d == VietnameseText.Letter(base: 0x64, marks: VietnameseText.Mark.stroke))
        let e = t.entries[VietnameseText.Tables.index(of: 0x1EBF)!]
        #expect(
            e == VietnameseText.Letter(base: 0x65, marks: VietnameseText.Mark.circumflex | VietnameseText.Mark.acute))
        let acute = t.entries[VietnameseText.Tables.index(of: 0x301)!]
        #expect(
            acute == VietnameseText.Letter(base: VietnameseText.Letter.combiningBase, marks: VietnameseText.Mark.acute))
    }
}
