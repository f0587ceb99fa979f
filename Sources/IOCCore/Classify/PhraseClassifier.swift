/// Vietnamese-aware keyword classification of free-text reports into categories.
///
/// The text is lower-cased and split into words at every scalar that is not a letter or digit; each category's
/// phrases are looked up as runs of consecutive whole words. When the text carries no diacritics at all (typed
/// without accents), the phrases are compared with their diacritics removed and `đ` mapped to `d`; otherwise they are
/// compared as written, so "nước chảy" does not match "cháy" (fire) but "chay nha" does. The category with the most
/// distinct matching phrases wins, ties go to the earlier category, and no match gives nil (the caller's `other`).
///
/// Words and letters:
/// - Letters and digits are ASCII letters and digits, every Latin-1 / Latin Extended-A/B letter (U+00C0–U+024F except
///   × and ÷) and Latin Extended Additional letter (U+1E00–U+1EFF), and any other scalar that is alphabetic, numeric
///   or a combining mark per `Unicode.Scalar.Properties`.
/// - Combining marks U+0300–U+036F belong to the preceding letter, so decomposed (NFD) text equals precomposed (NFC)
///   text; a combining mark with no letter before it in the same word is ignored.
/// - Each letter is compared as (lower-case base, set of marks); see `VietnameseText`.
///
/// "No diacritics at all" means no letter carries any mark and there is no `đ`/`Đ`. Any accented Latin letter (also
/// non-Vietnamese ones such as `é`, `ü`, `ç`, `ø`) counts as a diacritic; letters of other scripts never do.
///
/// Words are compared by 64-bit hashes of their canonical letters (no string comparison); two different words with
/// the same hash would be treated as equal. With a well-mixed 64-bit hash and a vocabulary of a few hundred phrase
/// words this is astronomically unlikely and accepted.
///
/// Distinct phrases: within one category a phrase counts once however often it appears in the text, and phrases that
/// are identical in the comparison being used (exact, or folded for unaccented text) count once per category
/// ("cháy" and "chạy" in one category are one folded phrase). The same phrase in two categories counts for each.
public struct PhraseClassifier: Sendable {
    /// The category codes, in priority order, as given to `init`; `classify` returns indices into this array.
    public let codes: [String]

    private let letters: VietnameseText.Tables
    /// Phrases compared with their marks, for text that has diacritics.
    private let exactIndex: PhraseIndex
    /// Phrases with marks dropped, for text without any diacritics.
    private let foldedIndex: PhraseIndex
    /// Per-call scratch buffers, reused across calls (copied on write when the classifier value is shared).
    private var scratch: Scratch

    /// Creates a classifier for `categories` in priority order (ties go to the earlier category).
    ///
    /// Phrases are written as a rules file writes them: any case, precomposed or decomposed, words separated by any
    /// non-letter characters ("hỏa hoạn", "Hỏa  Hoạn", "hỏa-hoạn"; but "hoả", with the tone on the other vowel, is a
    /// different spelling). Phrases with no letters or digits are ignored.
    /// - Complexity: O(total phrase bytes); allocates.
    public init(categories: [(code: String, phrases: [String])]) {
        let letters = VietnameseText.tables
        self.letters = letters
        self.codes = categories.map(\.code)
        var exact = PhraseIndex.Builder()
        var folded = PhraseIndex.Builder()
        for (category, entry) in categories.enumerated() {
            for phrase in entry.phrases {
                exact.add(category: category, words: Self.wordKeys(of: phrase, letters: letters, fold: false).keys)
                folded.add(category: category, words: Self.wordKeys(of: phrase, letters: letters, fold: true).keys)
            }
        }
        exactIndex = exact.build()
        foldedIndex = folded.build()
        scratch = Scratch(
            phraseCount: max(exactIndex.phraseCount, foldedIndex.phraseCount), categoryCount: categories.count)
    }

    /// Index into `codes` of the winning category of a report text, or nil when no phrase matches (→ `other`).
    ///
    /// - Parameter text: UTF-8 of the report text, already JSON-unescaped. Invalid UTF-8 bytes are treated as
    ///   separators (never a crash).
    /// - Complexity: O(n + m) for n text bytes and m candidate phrase words. Does not allocate, except to grow the
    ///   word-key scratch buffer when a text is longer than any seen before (and once after the classifier value
    ///   was copied). Letters outside the Latin tables take a slower Unicode-property path, still without heap
    ///   allocation.
    public mutating func classify(_ text: UnsafeRawBufferPointer) -> Int? {
        if !isKnownUniquelyReferenced(&scratch) { scratch = scratch.fresh() }
        let scratch = self.scratch
        // A word takes at least one byte and is followed by a separator, so n bytes hold at most n/2 + 1 words.
        scratch.reserveKeys(text.count / 2 + 1)
        let (wordCount, marked) = Self.tokenize(
            text, letters: letters, fold: false, into: scratch.keys, rareCache: scratch.rareCache)
        guard wordCount > 0 else { return nil }
        // Without any mark in the text, its exact keys equal its folded keys (the hash of a letter without marks
        // is the hash of its base), so the same keys are looked up in the folded phrase index.
        let index = marked ? exactIndex : foldedIndex
        return index.bestCategory(keys: scratch.keys, count: wordCount, scratch: scratch)
    }

    /// Convenience for tests and tools: classifies the UTF-8 of `text`.
    /// - Complexity: as the byte-buffer `classify(_:)`; a non-contiguous (bridged) string is copied first (allocates).
    public mutating func classify(_ text: String) -> Int? {
        var copy = text
        return copy.withUTF8 { classify(UnsafeRawBufferPointer($0)) }
    }

    // MARK: - Words

    /// Word keys of a string and whether it has any mark (for phrases at init, and for tests).
    /// - Complexity: O(n); allocates the result.
    static func wordKeys(
        of text: String, letters: VietnameseText.Tables = VietnameseText.tables, fold: Bool
    ) -> (keys: [UInt64], marked: Bool) {
        var copy = text
        return copy.withUTF8 { utf8 in
            var marked = false
            let keys = [UInt64](unsafeUninitializedCapacity: utf8.count / 2 + 1) { buffer, initialized in
                let result = tokenize(
                    UnsafeRawBufferPointer(utf8), letters: letters, fold: fold, into: buffer.baseAddress!)
                initialized = result.count
                marked = result.marked
            }
            return (keys, marked)
        }
    }

    /// Splits UTF-8 text into words, writing one 64-bit key per word to `keys`; also reports whether any letter
    /// carries a mark.
    ///
    /// A word's key hashes its canonical letters: base, then (unless `fold`) the mark set when non-empty. A word
    /// without marks therefore has the same key whether folded or not. `keys` must have room for
    /// `text.count / 2 + 1` keys. `rareCache`, when given, memoizes letters of scalars outside the Latin tables.
    /// - Complexity: O(n) in the byte count; does not allocate.
    static func tokenize(
        _ text: UnsafeRawBufferPointer, letters: VietnameseText.Tables, fold: Bool,
        into keys: UnsafeMutablePointer<UInt64>, rareCache: UnsafeMutablePointer<RareCacheEntry>? = nil
    ) -> (count: Int, marked: Bool) {
        guard let bytes = text.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return (0, false) }
        let table = letters.entries
        let n = text.count
        var count = 0
        var hash = Hash.seed
        var base: UInt32 = 0  // the current letter (0: not inside a word), mixed in once its marks are complete
        var marks: UInt64 = 0
        var anyMarks: UInt64 = 0
        var i = 0
        while i < n {
            let b0 = bytes[i]
            let letter: VietnameseText.Letter
            if b0 < 0x80 {
                letter = table[Int(b0)]
                i += 1
            } else {
                let (v, length) = decodeMultiByte(bytes, at: i, count: n)
                i += length
                if let slot = VietnameseText.Tables.index(of: v) {
                    letter = table[slot]
                } else {
                    letter = rareLetter(v, cache: rareCache)
                }
            }
            if letter.base == VietnameseText.Letter.combiningBase {
                // Part of the preceding letter; ignored when no letter precedes it in this word.
                if base != 0 { marks |= letter.marks }
                continue
            }
            if base != 0 {
                hash = Hash.mix(hash, UInt64(base))
                if marks != 0 {
                    anyMarks |= marks
                    if !fold { hash = Hash.mix(hash, marks | Hash.markTag) }
                }
                if letter.base == 0 {
                    keys[count] = Hash.finish(hash)
                    count += 1
                    hash = Hash.seed
                }
            }
            base = letter.base
            marks = letter.marks
        }
        if base != 0 {
            hash = Hash.mix(hash, UInt64(base))
            if marks != 0 {
                anyMarks |= marks
                if !fold { hash = Hash.mix(hash, marks | Hash.markTag) }
            }
            keys[count] = Hash.finish(hash)
            count += 1
        }
        return (count, anyMarks != 0)
    }

    /// Decodes the multi-byte UTF-8 sequence starting at `i` (`bytes[i] >= 0x80`): scalar value and byte length.
    /// A malformed or truncated sequence yields U+FFFD (a separator) with length 1.
    /// - Complexity: O(1); does not allocate.
    @inline(__always)
    private static func decodeMultiByte(
        _ bytes: UnsafePointer<UInt8>, at i: Int, count n: Int
    ) -> (value: UInt32, length: Int) {
        let b0 = bytes[i]
        if b0 >= 0xC2 && b0 < 0xE0 {
            if i + 1 < n && bytes[i + 1] & 0xC0 == 0x80 {
                return (UInt32(b0 & 0x1F) << 6 | UInt32(bytes[i + 1] & 0x3F), 2)
            }
        } else if b0 >= 0xE0 && b0 < 0xF0 {
            if i + 2 < n && bytes[i + 1] & 0xC0 == 0x80 && bytes[i + 2] & 0xC0 == 0x80 {
                return (UInt32(b0 & 0x0F) << 12 | UInt32(bytes[i + 1] & 0x3F) << 6 | UInt32(bytes[i + 2] & 0x3F), 3)
            }
        } else if b0 >= 0xF0 && b0 < 0xF5 {
            if i + 3 < n && bytes[i + 1] & 0xC0 == 0x80 && bytes[i + 2] & 0xC0 == 0x80 && bytes[i + 3] & 0xC0 == 0x80 {
                let v =
                    UInt32(b0 & 0x07) << 18 | UInt32(bytes[i + 1] & 0x3F) << 12 | UInt32(bytes[i + 2] & 0x3F) << 6
                    | UInt32(bytes[i + 3] & 0x3F)
                return (v, 4)
            }
        }
        return (0xFFFD, 1)
    }

    /// Letter of a scalar outside the Latin tables (other scripts, symbols): a word character when alphabetic,
    /// numeric or a combining mark, lower-cased through the standard library; otherwise a separator.
    ///
    /// Only the first scalar of the lower-case mapping is used; the one unconditional multi-scalar lower-case
    /// mapping in Unicode (U+0130 İ) is inside the tables. Results are memoized in `cache` when given.
    /// - Complexity: O(1); no heap allocation (single-scalar case mappings are small inline strings).
    @inline(never)
    private static func rareLetter(
        _ v: UInt32, cache: UnsafeMutablePointer<RareCacheEntry>?
    ) -> VietnameseText.Letter {
        if let cache {
            let entry = cache + Int(v & RareCacheEntry.mask)
            if entry.pointee.scalar != v {
                entry.pointee = RareCacheEntry(scalar: v, base: rareLetter(v, cache: nil).base)
            }
            return VietnameseText.Letter(base: entry.pointee.base, marks: 0)
        }
        guard let scalar = Unicode.Scalar(v), VietnameseText.isWordScalar(scalar) else { return .separator }
        return VietnameseText.Letter(base: VietnameseText.simpleLowercase(scalar).value, marks: 0)
    }
}

/// One slot of the direct-mapped memo of `PhraseClassifier.rareLetter` (scalar 0 never reaches it: empty slot).
struct RareCacheEntry {
    static let count = 512
    static let mask = UInt32(count - 1)

    var scalar: UInt32
    var base: UInt32  // lower-case base, or 0 for a separator
}

/// Scratch buffers of one classifier value: word keys, per-phrase match stamps, per-category counts and the memo of
/// letters outside the Latin tables.
///
/// Only ever used through a uniquely referenced `PhraseClassifier` (checked before each use), hence Sendable.
private final class Scratch: @unchecked Sendable {
    private(set) var keys: UnsafeMutablePointer<UInt64>
    private(set) var keyCapacity: Int
    let stamps: UnsafeMutablePointer<UInt32>
    let counts: UnsafeMutablePointer<Int32>
    let rareCache: UnsafeMutablePointer<RareCacheEntry>
    let phraseCount: Int
    let categoryCount: Int
    var generation: UInt32 = 0

    init(phraseCount: Int, categoryCount: Int) {
        self.phraseCount = phraseCount
        self.categoryCount = categoryCount
        keyCapacity = 64
        keys = .allocate(capacity: keyCapacity)
        stamps = .allocate(capacity: max(phraseCount, 1))
        stamps.initialize(repeating: 0, count: max(phraseCount, 1))
        counts = .allocate(capacity: max(categoryCount, 1))
        counts.initialize(repeating: 0, count: max(categoryCount, 1))
        rareCache = .allocate(capacity: RareCacheEntry.count)
        rareCache.initialize(repeating: RareCacheEntry(scalar: 0, base: 0), count: RareCacheEntry.count)
    }

    deinit {
        keys.deallocate()
        stamps.deallocate()
        counts.deallocate()
        rareCache.deallocate()
    }

    /// A new, independent scratch of the same shape (for copy-on-write).
    func fresh() -> Scratch { Scratch(phraseCount: phraseCount, categoryCount: categoryCount) }

    /// Makes room for `count` word keys (contents are not preserved).
    @inline(__always)
    func reserveKeys(_ count: Int) {
        guard count > keyCapacity else { return }
        keys.deallocate()
        keyCapacity = max(count, keyCapacity * 2)
        keys = .allocate(capacity: keyCapacity)
    }

    /// Starts a new call: a fresh stamp generation and zeroed category counts.
    @inline(__always)
    func nextGeneration() -> UInt32 {
        generation &+= 1
        if generation == 0 {
            stamps.update(repeating: 0, count: max(phraseCount, 1))
            generation = 1
        }
        counts.update(repeating: 0, count: max(categoryCount, 1))
        return generation
    }
}

extension PhraseClassifier {
    /// The default categories, in priority order (the fallback `other` has no phrases and is not listed).
    public static let defaultCategories: [(code: String, phrases: [String])] = [
        ("fire", ["cháy", "hỏa hoạn", "bốc khói", "khói", "fire", "smoke", "burning"]),
        ("flooding", ["ngập", "ngập úng", "tắc cống", "thoát nước", "flood", "flooding", "sewer", "clogged drain"]),
        ("public_order", ["trộm", "cướp", "đánh nhau", "gây rối", "tiếng ồn", "theft", "robbery", "fight", "noise"]),
        ("traffic", ["tai nạn", "ùn tắc", "kẹt xe", "accident", "traffic jam", "congestion"]),
        ("roads", ["ổ gà", "hư hỏng đường", "sụt lún", "nứt đường", "pothole", "road damage", "sinkhole"]),
        ("lighting", ["đèn đường", "đèn chiếu sáng", "streetlight", "street light", "light out"]),
        ("sanitation", ["rác", "rác thải", "xả thải", "mùi hôi", "garbage", "trash", "litter", "dumping"]),
        ("trees", ["cây đổ", "cành cây", "cây xanh", "fallen tree", "tree"]),
        ("construction", ["lấn chiếm", "vỉa hè", "xây dựng trái phép", "encroachment", "illegal construction"]),
    ]
}

/// 64-bit word hashing: a bijective mix per unit and the SplitMix64 finalizer per word.
private enum Hash {
    static let seed: UInt64 = 0x243F_6A88_85A3_08D3
    /// Set on mark-set units so they never equal a base-letter unit (bases are < 2^21).
    static let markTag: UInt64 = 1 << 62

    @inline(__always)
    static func mix(_ h: UInt64, _ unit: UInt64) -> UInt64 {
        let x = (h ^ unit) &* 0x9E37_79B9_7F4A_7C15
        return x ^ (x >> 29)
    }

    @inline(__always)
    static func finish(_ h: UInt64) -> UInt64 {
        var z = h
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Phrases of one comparison mode, grouped by first word key behind an open-addressing table.
///
/// Immutable after init; the raw storage is owned by the instance and freed in `deinit`, hence Sendable.
private final class PhraseIndex: @unchecked Sendable {
    struct Phrase {
        var start: Int32  // offset of the first word key in `words`
        var length: Int32  // word count (≥ 1)
        var category: Int32
    }

    struct Slot {
        var key: UInt64
        var lower: Int32  // phrases[lower..<upper] start with `key`; empty range = empty slot
        var upper: Int32
    }

    let phraseCount: Int
    private let words: UnsafeMutablePointer<UInt64>
    private let phrases: UnsafeMutablePointer<Phrase>
    private let slots: UnsafeMutablePointer<Slot>
    private let mask: Int

    struct Builder {
        private var seen: Set<[UInt64]> = []  // category index followed by the word keys
        private var groups: [UInt64: [(category: Int, words: [UInt64])]] = [:]
        private var order: [UInt64] = []

        /// Adds a phrase unless it has no words or the same category already has the same word keys.
        mutating func add(category: Int, words: [UInt64]) {
            guard let first = words.first else { return }
            guard seen.insert([UInt64(category)] + words).inserted else { return }
            if groups[first] == nil { order.append(first) }
            groups[first, default: []].append((category, words))
        }

        func build() -> PhraseIndex {
            var words: [UInt64] = []
            var phrases: [Phrase] = []
            var capacity = 8
            while capacity < order.count * 2 { capacity *= 2 }
            var slots = [Slot](repeating: Slot(key: 0, lower: 0, upper: 0), count: capacity)
            for first in order {
                let lower = Int32(phrases.count)
                for phrase in groups[first] ?? [] {
                    phrases.append(
                        Phrase(
                            start: Int32(words.count), length: Int32(phrase.words.count),
                            category: Int32(phrase.category)))
                    words.append(contentsOf: phrase.words)
                }
                var slot = Int(truncatingIfNeeded: first) & (capacity - 1)
                while slots[slot].lower != slots[slot].upper { slot = (slot + 1) & (capacity - 1) }
                slots[slot] = Slot(key: first, lower: lower, upper: Int32(phrases.count))
            }
            return PhraseIndex(words: words, phrases: phrases, slots: slots)
        }
    }

    private init(words: [UInt64], phrases: [Phrase], slots: [Slot]) {
        phraseCount = phrases.count
        self.words = .allocate(capacity: max(words.count, 1))
        self.words.initialize(from: words, count: words.count)
        self.phrases = .allocate(capacity: max(phrases.count, 1))
        self.phrases.initialize(from: phrases, count: phrases.count)
        self.slots = .allocate(capacity: slots.count)
        self.slots.initialize(from: slots, count: slots.count)
        mask = slots.count - 1
    }

    deinit {
        words.deallocate()
        phrases.deallocate()
        slots.deallocate()
    }

    /// Category with the most distinct phrases matching as whole-word runs of `keys`; ties go to the lower
    /// category index; nil when nothing matches.
    /// - Complexity: O(count + m) for m candidate phrase words; does not allocate.
    func bestCategory(keys: UnsafePointer<UInt64>, count: Int, scratch: Scratch) -> Int? {
        guard phraseCount > 0 else { return nil }
        let generation = scratch.nextGeneration()
        let stamps = scratch.stamps
        let counts = scratch.counts
        var matched = false
        for i in 0..<count {
            // Open-addressing probe for phrases starting with this word (load factor ≤ 1/2).
            let key = keys[i]
            var slotIndex = Int(truncatingIfNeeded: key) & mask
            var slot = slots[slotIndex]
            while slot.lower != slot.upper && slot.key != key {
                slotIndex = (slotIndex + 1) & mask
                slot = slots[slotIndex]
            }
            guard slot.lower != slot.upper else { continue }
            for p in Int(slot.lower)..<Int(slot.upper) where stamps[p] != generation {
                let phrase = phrases[p]
                let length = Int(phrase.length)
                guard i + length <= count else { continue }
                let phraseWords = words + Int(phrase.start)
                var k = 1
                while k < length && keys[i + k] == phraseWords[k] { k += 1 }
                if k == length {
                    stamps[p] = generation
                    counts[Int(phrase.category)] += 1
                    matched = true
                }
            }
        }
        guard matched else { return nil }
        var best = 0
        for c in 1..<scratch.categoryCount where counts[c] > counts[best] { best = c }
        return best
    }
}
