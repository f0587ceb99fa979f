#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Maps byte strings (districts, segments, sensors, ids) to dense small integers, once.
///
/// Per-key state then lives in flat arrays indexed by the id, so the hot path never hashes a `String` or
/// allocates one. Open addressing with linear probing over a power-of-two table; the bytes of every key are
/// kept in one arena.
public struct Interner: Sendable {
    /// Open-addressing table: 0 is empty, else the key's hash tag (its upper 32 bits) above `id + 1`. A probe
    /// rejects other keys by the tag alone, so a lookup touches one slot and, on a hit, the key's span and bytes.
    /// The home slot is taken from the tag's bits too, so growing the table moves slots without hashing any key
    /// again.
    private var slots: [UInt64]
    /// Where each key's bytes are in `arena`: start in the upper 32 bits, length in the lower.
    private var spans: [UInt64] = []
    private var arena: [UInt8] = []
    private var mask: Int

    /// Number of distinct keys.
    public var count: Int { keyCount }
    private var keyCount = 0

    public init(capacity: Int = 64) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = [UInt64](repeating: 0, count: size)
        mask = size - 1
    }

    /// A 64-bit hash of `bytes`: eight bytes a step, the last step the last eight bytes (overlapping the one
    /// before); a key under eight bytes as one or two overlapping loads. No key bytes are read one by one beyond
    /// three.
    ///
    /// Distinct keys of one length give distinct words to mix (the loads together cover every byte), and the length
    /// is in the seed. Only this process's interners use it: no hash is written anywhere.
    ///
    /// - Complexity: O(n); does not allocate.
    @inline(__always)
    public static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        let n = bytes.count
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(n)
        guard let base = bytes.baseAddress else { return h }
        @inline(__always) func word(_ offset: Int) -> UInt64 {
            UInt64(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
        }
        let last: UInt64
        if n >= 8 {
            var i = 0
            while i &+ 8 < n {
                h = (h ^ word(i)) &* 0xBF58_476D_1CE4_E5B9
                h ^= h >> 31
                i &+= 8
            }
            last = word(n &- 8)
        } else if n >= 4 {
            let low = UInt32(littleEndian: base.loadUnaligned(as: UInt32.self))
            let high = UInt32(littleEndian: base.loadUnaligned(fromByteOffset: n &- 4, as: UInt32.self))
            last = UInt64(low) | UInt64(high) << 32
        } else if n > 0 {
            @inline(__always) func byte(_ offset: Int) -> UInt64 {
                UInt64(base.load(fromByteOffset: offset, as: UInt8.self))
            }
            last = byte(0) | byte(n >> 1) << 8 | byte(n &- 1) << 16
        } else {
            last = 0
        }
        h = (h ^ last) &* 0x94D0_49BB_1331_11EB
        h ^= h >> 29
        h = (h ^ (h >> 32)) &* 0xD6E8_FEB8_6659_FD93
        return h ^ (h >> 32)
    }

    /// The half of a `hash(_:)` that the table uses (its upper 32 bits: the tag, and where a lookup starts), for
    /// callers that keep hashes for later (`Event`'s key hashes).
    @inline(__always)
    public static func tag(_ h: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: h >> 32) }

    /// A hash with this upper half: what `intern(_:hash:allowNew:)` and `slotAddress` take, from a `tag(_:)`.
    @inline(__always)
    public static func hash(tag: UInt32) -> UInt64 { UInt64(tag) << 32 }

    /// Room for `keys` keys of `bytes` bytes in all without growing the spans or the arena (address space only
    /// until keys arrive; the slot table still grows with the keys, since its slots are written when it does).
    mutating func reserve(keys: Int, bytes: Int) {
        spans.reserveCapacity(keys)
        arena.reserveCapacity(bytes)
    }

    /// The id of `bytes`, if interned.
    ///
    /// - Complexity: O(n) expected; does not allocate.
    public func find(_ bytes: UnsafeRawBufferPointer) -> Int32? {
        let h = Interner.hash(bytes)
        let (id, _) = probe(h, bytes)
        return id
    }

    /// The id of `bytes`, interning it when new.
    ///
    /// - Complexity: O(n) expected; allocates only when the key is new (amortised growth).
    @discardableResult
    public mutating func intern(_ bytes: UnsafeRawBufferPointer) -> Int32 {
        intern(bytes, hash: Interner.hash(bytes), allowNew: true).id!
    }

    /// The id of `bytes`, whose `hash(_:)` is already computed (by the parse stage), and whether it was new; a new
    /// key is interned only when `allowNew` (nil otherwise, for `--max-keys`). One probe either way.
    ///
    /// - Complexity: O(n) expected for the byte comparison; allocates only when the key is new.
    @inline(__always)
    public mutating func intern(
        _ bytes: UnsafeRawBufferPointer, hash h: UInt64, allowNew: Bool
    ) -> (
        id: Int32?, isNew: Bool
    ) {
        let (found, slot) = probe(h, bytes)
        if let found { return (found, false) }
        guard allowNew else { return (nil, false) }
        let id = Int32(keyCount)
        keyCount += 1
        spans.append(UInt64(arena.count) << 32 | UInt64(bytes.count))
        arena.append(contentsOf: bytes)
        slots[slot] = Interner.slotValue(h, id)
        if keyCount * 2 > slots.count { grow() }
        return (id, true)
    }

    /// Whether `bytes` (whose `hash(_:)` is `h`) is interned already; interns nothing.
    ///
    /// - Complexity: O(n) expected, one probe.
    public func contains(_ bytes: UnsafeRawBufferPointer, hash h: UInt64) -> Bool {
        probe(h, bytes).0 != nil
    }

    @inline(__always)
    private static func slotValue(_ h: UInt64, _ id: Int32) -> UInt64 {
        (h & 0xFFFF_FFFF_0000_0000) | UInt64(UInt32(id) &+ 1)
    }

    /// The key's id, or nil and the empty slot where it would go.
    @inline(__always)
    private func probe(_ h: UInt64, _ bytes: UnsafeRawBufferPointer) -> (Int32?, Int) {
        let tag = h & 0xFFFF_FFFF_0000_0000
        return slots.withUnsafeBufferPointer { table in
            var i = Interner.home(h) & mask
            while true {
                let s = table[i]
                if s == 0 { return (nil, i) }
                if s & 0xFFFF_FFFF_0000_0000 == tag {
                    let id = Int32(truncatingIfNeeded: s & 0xFFFF_FFFF) - 1
                    if matches(Int(id), bytes) { return (id, i) }
                }
                i = (i + 1) & mask
            }
        }
    }

    /// Where a lookup of a hash with this `tag(_:)` starts in the table: for a prefetch hint only, never read
    /// through (the table moves when it grows).
    @inline(__always)
    func slotAddress(tag: UInt32) -> UnsafeRawPointer {
        let home = Interner.home(Interner.hash(tag: tag)) & mask
        return slots.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress! + home) }
    }

    /// Interns a `String` (not for the hot path).
    @discardableResult
    public mutating func intern(_ s: String) -> Int32 {
        var s = s
        return s.withUTF8 { intern(UnsafeRawBufferPointer($0)) }
    }

    /// The key of `id` as a `String` (for output, off the hot path).
    public func string(_ id: Int32) -> String {
        let (start, end) = range(id)
        return String(decoding: arena[start..<end], as: UTF8.self)
    }

    /// Runs `body` on the bytes of `id`'s key.
    public func withBytes<R>(_ id: Int32, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        let (start, end) = range(id)
        return arena.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[start..<end])) }
    }

    /// Whether `a`'s key comes before `b`'s in byte order (what `String.utf8.lexicographicallyPrecedes` gives for
    /// their strings: keys are valid UTF-8), without making the strings.
    public func precedes(_ a: Int32, _ b: Int32) -> Bool {
        let (aStart, aEnd) = range(a)
        let (bStart, bEnd) = range(b)
        return arena.withUnsafeBytes { bytes in
            let n = min(aEnd - aStart, bEnd - bStart)
            let order = n == 0 ? 0 : memcmp(bytes.baseAddress! + aStart, bytes.baseAddress! + bStart, n)
            return order != 0 ? order < 0 : aEnd - aStart < bEnd - bStart
        }
    }

    @inline(__always)
    private func range(_ id: Int32) -> (Int, Int) {
        let span = spans[Int(id)]
        let start = Int(span >> 32)
        return (start, start + Int(span & 0xFFFF_FFFF))
    }

    @inline(__always)
    private func matches(_ id: Int, _ bytes: UnsafeRawBufferPointer) -> Bool {
        let span = spans[id]
        guard Int(span & 0xFFFF_FFFF) == bytes.count else { return false }
        if bytes.count == 0 { return true }
        let start = Int(span >> 32)
        return arena.withUnsafeBytes { bytesEqual($0.baseAddress! + start, bytes.baseAddress!, bytes.count) }
    }

    /// The home slot of a hash, before masking: the tag's bits, so that `grow()` can find it from a slot alone.
    @inline(__always)
    private static func home(_ h: UInt64) -> Int { Int(truncatingIfNeeded: h >> 32) }

    private mutating func grow() {
        let size = slots.count * 2
        let old = slots
        slots = [UInt64](repeating: 0, count: size)
        mask = size - 1
        // A slot holds its key's tag, which is where the key's home slot comes from: no key bytes are read.
        slots.withUnsafeMutableBufferPointer { table in
            for s in old where s != 0 {
                var i = Interner.home(s) & mask
                while table[i] != 0 { i = (i + 1) & mask }
                table[i] = s
            }
        }
    }
}
