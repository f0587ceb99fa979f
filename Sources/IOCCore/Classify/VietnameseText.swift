/// Letter tables for Vietnamese-aware word splitting, lower-casing and diacritic folding without Foundation.
///
/// Every letter is modelled as a lower-case *base* scalar plus a *set of marks*, so precomposed (NFC) and decomposed
/// (NFD) spellings compare equal: `ế` (U+1EBF), `ê` + U+0301 and `e` + U+0302 + U+0301 are all (`e`, {circumflex,
/// acute}), and `Ế` is the same letter. `đ`/`Đ` is (`d`, {stroke}). Folding drops the whole mark set.
///
/// The tables cover U+0000–U+024F (ASCII, Latin-1, Latin Extended-A/B) and U+1E00–U+1EFF (Latin Extended Additional,
/// which holds most Vietnamese letters); combining marks U+0300–U+036F map to mark bits. They are derived from
/// the standard library's Unicode scalar names ("LATIN CAPITAL LETTER E WITH CIRCUMFLEX AND ACUTE" → `e` +
/// {circumflex, acute}; `derivedTables()`), and kept precomputed in `VietnameseText+Precomputed.swift`, which a test
/// checks against the derivation; Unicode names are immutable under the Unicode stability policy, and the tests
/// check every precomposed Vietnamese letter against a hand-written table. Letters outside these ranges are handled
/// per call through `Unicode.Scalar.Properties` (see `PhraseClassifier`).
enum VietnameseText {
    /// One letter or digit of the canonical model: lower-case base scalar and mark set.
    ///
    /// `base == 0` means "not a letter or digit" (a word separator); `base == Letter.combiningBase` marks a
    /// combining mark U+0300–U+036F whose `marks` join the preceding letter.
    struct Letter: Sendable, Equatable {
        var base: UInt32
        var marks: UInt64

        static let separator = Letter(base: 0, marks: 0)
        /// Base value of table entries for combining marks (not a Unicode scalar value).
        static let combiningBase: UInt32 = 0xFFFF_FFFF
    }

    /// Mark bits with fixed positions: the Vietnamese tones, vowel marks and the stroke of `đ`.
    enum Mark {
        static let grave: UInt64 = 1 << 0
        static let acute: UInt64 = 1 << 1
        static let hookAbove: UInt64 = 1 << 2
        static let tilde: UInt64 = 1 << 3
        static let dotBelow: UInt64 = 1 << 4
        static let breve: UInt64 = 1 << 5
        static let circumflex: UInt64 = 1 << 6
        static let horn: UInt64 = 1 << 7
        static let stroke: UInt64 = 1 << 8
        /// Shared bit for marks that got no bit of their own (only obscure combining marks).
        static let other: UInt64 = 1 << 63

        static let fixedNames: [(String, UInt64)] = [
            ("GRAVE", grave), ("ACUTE", acute), ("HOOK ABOVE", hookAbove), ("TILDE", tilde),
            ("DOT BELOW", dotBelow), ("BREVE", breve), ("CIRCUMFLEX", circumflex), ("HORN", horn),
            ("STROKE", stroke),
        ]
    }

    /// The per-scalar lookup table used on the hot path: one flat, immutable array of `Letter` covering
    /// U+0000–U+024F, U+0300–U+036F and U+1E00–U+1EFF (960 entries, 15 KiB).
    ///
    /// The storage is allocated once for the process lifetime and never freed or mutated, so the raw pointer is
    /// safe to share between threads.
    struct Tables: @unchecked Sendable {
        /// `entries[index(of: v)]` for every covered scalar value `v`.
        let entries: UnsafePointer<Letter>
        /// Bit assigned to each mark name (as written in Latin letter names), for tests and diagnostics.
        let markBits: [String: UInt64]

        static let lowEnd: UInt32 = 0x250
        static let combiningStart: UInt32 = 0x300
        static let combiningEnd: UInt32 = 0x370
        static let additionalStart: UInt32 = 0x1E00
        static let additionalEnd: UInt32 = 0x1F00
        static let count = Int(lowEnd + (combiningEnd - combiningStart) + (additionalEnd - additionalStart))

        /// Position of scalar value `v` in `entries`, or nil when the scalar is not covered.
        /// - Complexity: O(1); does not allocate.
        @inline(__always)
        static func index(of v: UInt32) -> Int? {
            if v < lowEnd { return Int(v) }
            if v >= combiningStart && v < combiningEnd { return Int(lowEnd + (v - combiningStart)) }
            if v >= additionalStart && v < additionalEnd {
                return Int(lowEnd + (combiningEnd - combiningStart) + (v - additionalStart))
            }
            return nil
        }
    }

    /// The shared tables (made on first use, thread-safe) from `VietnameseText.precomputed`, which is what
    /// `derivedTables()` gives: deriving them from Unicode names at every start took 15 ms (a test checks the two
    /// agree, and prints the file to write when the standard library's Unicode data gives something new).
    /// - Complexity: O(1) after the first call; the first copies 960 entries.
    static let tables: Tables = {
        let storage = UnsafeMutablePointer<Letter>.allocate(capacity: Tables.count)
        precondition(precomputed.bases.count == Tables.count && precomputed.marks.count == Tables.count)
        for i in 0..<Tables.count {
            (storage + i).initialize(to: Letter(base: precomputed.bases[i], marks: precomputed.marks[i]))
        }
        // Immortal storage: allocated once per process, never freed.
        return Tables(entries: UnsafePointer(storage), markBits: precomputed.markBits)
    }()

    /// Canonical letter of any scalar: a table entry (including combining-mark entries) for covered scalars, the
    /// generic per-call model (alphabetic/numeric/mark, lower-cased, no marks) for any other.
    /// - Complexity: O(1); does not allocate for table scalars (other scalars may build a small inline string).
    static func letter(_ scalar: Unicode.Scalar) -> Letter {
        if let i = Tables.index(of: scalar.value) { return tables.entries[i] }
        guard isWordScalar(scalar) else { return .separator }
        return Letter(base: simpleLowercase(scalar).value, marks: 0)
    }

    /// Whether a scalar outside the Latin tables is part of a word: alphabetic, numeric, or a combining mark.
    /// - Complexity: O(1) Unicode property look-ups; does not allocate.
    static func isWordScalar(_ scalar: Unicode.Scalar) -> Bool {
        let p = scalar.properties
        if p.isAlphabetic || p.numericType != nil { return true }
        switch p.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark: return true
        default: return false
        }
    }

    /// First scalar of the lower-case mapping (the whole mapping is a single scalar for all but a handful).
    /// - Complexity: O(1); no heap allocation (the mapping is a small string stored inline).
    static func simpleLowercase(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        let p = scalar.properties
        guard p.changesWhenLowercased else { return scalar }
        return p.lowercaseMapping.unicodeScalars.first ?? scalar
    }

    // MARK: - Building

    /// The tables' entries (in `Tables.index(of:)` order) and mark bits, derived from the standard library's Unicode
    /// scalar names: what `precomputed` holds.
    /// - Complexity: parses about 2,000 Unicode names and allocates (about 15 ms); for the test that checks
    ///   `precomputed` and writes it anew.
    static func derivedTables() -> (entries: [Letter], markBits: [String: UInt64]) {
        // "LATIN SMALL LETTER <X>" → scalar, for resolving base names ("AE" → æ, "SHARP S" → ß, "EZH" → ʒ).
        var smallLetters: [Substring: Unicode.Scalar] = [:]
        let smallPrefix = "LATIN SMALL LETTER "
        for range in [0x0000..<0x02B0, 0x1D00..<0x1F00] as [Range<UInt32>] {
            for v in range {
                guard let s = Unicode.Scalar(v), let name = s.properties.name, name.hasPrefix(smallPrefix) else {
                    continue
                }
                let key = name.dropFirst(smallPrefix.count)
                if smallLetters[key] == nil { smallLetters[key] = s }
            }
        }

        var markBits: [String: UInt64] = [:]
        for (name, bit) in Mark.fixedNames { markBits[name] = bit }
        var nextBit: UInt64 = 9
        func bit(_ name: String) -> UInt64 {
            if let b = markBits[name] { return b }
            guard nextBit < 63 else { return Mark.other }
            let b: UInt64 = 1 << nextBit
            nextBit += 1
            markBits[name] = b
            return b
        }

        func inTables(_ v: UInt32) -> Bool {
            v < Tables.lowEnd || (v >= Tables.additionalStart && v < Tables.additionalEnd)
        }

        /// Parses "LATIN (SMALL|CAPITAL) LETTER <BASE>[ WITH <MARK>[ AND <MARK>]...]".
        func fromName(_ scalar: Unicode.Scalar) -> Letter? {
            guard let name = scalar.properties.name else { return nil }
            let rest: Substring
            let capital: Bool
            if name.hasPrefix("LATIN SMALL LETTER ") {
                rest = name.dropFirst("LATIN SMALL LETTER ".count)
                capital = false
            } else if name.hasPrefix("LATIN CAPITAL LETTER ") {
                rest = name.dropFirst("LATIN CAPITAL LETTER ".count)
                capital = true
            } else {
                return nil
            }
            guard let with = rest.firstRange(of: " WITH ") else {
                if !capital { return Letter(base: scalar.value, marks: 0) }
                guard let small = smallLetters[rest] else { return nil }
                return Letter(base: small.value, marks: 0)
            }
            let baseName = rest[..<with.lowerBound]
            let markPart = rest[with.upperBound...]
            // Titlecase digraphs such as "D WITH SMALL LETTER Z" are not base + marks.
            guard !markPart.contains("LETTER"), let base = smallLetters[baseName] else { return nil }
            var marks: UInt64 = 0
            for mark in markPart.split(separator: " AND ") { marks |= bit(String(mark)) }
            return Letter(base: base.value, marks: marks)
        }

        var memo: [UInt32: Letter] = [:]
        func build(_ v: UInt32) -> Letter {
            if let known = memo[v] { return known }
            let letter: Letter
            if v < 0x80 {
                switch UInt8(v) {
                case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"):
                    letter = Letter(base: v, marks: 0)
                case UInt8(ascii: "A")...UInt8(ascii: "Z"):
                    letter = Letter(base: v + 0x20, marks: 0)
                default:
                    letter = .separator
                }
            } else if v == 0xD7 || v == 0xF7 {
                letter = .separator  // × ÷
            } else if let s = Unicode.Scalar(v) {
                if v >= 0xC0, let parsed = fromName(s) {
                    letter = parsed
                } else if v >= 0xC0 || isWordScalar(s) {
                    // Letters that are not "base WITH marks" (ligatures, clicks, titlecase digraphs) and the
                    // Latin-1 symbols that are alphabetic or numeric (ª µ º ² ³ ¹ ¼ ½ ¾): lower-case only,
                    // reusing the lower-case letter's own entry when it has one (ǅ → ǆ → dz + caron).
                    let lower = simpleLowercase(s).value
                    letter = lower != v && inTables(lower) ? build(lower) : Letter(base: lower, marks: 0)
                } else {
                    letter = .separator
                }
            } else {
                letter = .separator
            }
            memo[v] = letter
            return letter
        }

        var entries: [Letter] = (0..<Tables.lowEnd).map(build)
        for v in Tables.combiningStart..<Tables.combiningEnd {
            var name = Substring(Unicode.Scalar(v)?.properties.name ?? "")
            if name.hasPrefix("COMBINING ") { name = name.dropFirst("COMBINING ".count) }
            let normalized = String(name).replacing(" ACCENT", with: "")
            let marks: UInt64
            switch normalized {
            case "GRAPHEME JOINER": marks = 0  // invisible; ignorable
            case "GRAVE TONE MARK": marks = Mark.grave  // U+0340 ≡ U+0300
            case "ACUTE TONE MARK": marks = Mark.acute  // U+0341 ≡ U+0301
            case "GREEK KORONIS": marks = bit("COMMA ABOVE")  // U+0343 ≡ U+0313
            case "GREEK DIALYTIKA TONOS": marks = bit("DIAERESIS") | Mark.acute  // U+0344 ≡ U+0308 U+0301
            case "MACRON BELOW": marks = bit("LINE BELOW")  // letter names say "WITH LINE BELOW"
            default: marks = bit(normalized)
            }
            entries.append(Letter(base: Letter.combiningBase, marks: marks))
        }
        entries += (Tables.additionalStart..<Tables.additionalEnd).map(build)
        precondition(entries.count == Tables.count)
        return (entries, markBits)
    }
}
