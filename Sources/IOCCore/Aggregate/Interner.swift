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
    private var slots: [Int32]
    private var hashes: [UInt64] = []
    private var starts: [UInt32] = []
    private var lengths: [UInt32] = []
    private var arena: [UInt8] = []
    private var mask: Int

    /// Number of distinct keys.
    public var count: Int { starts.count }

    public init(capacity: Int = 64) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = [Int32](repeating: -1, count: size)
        mask = size - 1
    }

    /// A 64-bit hash of `bytes` (8 bytes a step).
    ///
    /// - Complexity: O(n); does not allocate.
    @inline(__always)
    public static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(bytes.count)
        var i = 0
        let n = bytes.count
        guard let base = bytes.baseAddress else { return h }
        while i + 8 <= n {
            let w = base.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            h = (h ^ w) &* 0xBF58_476D_1CE4_E5B9
            h ^= h >> 31
            i += 8
        }
        if i < n {
            var w: UInt64 = 0
            var shift: UInt64 = 0
            while i < n {
                w |= UInt64(base.load(fromByteOffset: i, as: UInt8.self)) << shift
                shift += 8
                i += 1
            }
            h = (h ^ w) &* 0x94D0_49BB_1331_11EB
            h ^= h >> 29
        }
        h = (h ^ (h >> 32)) &* 0xD6E8_FEB8_6659_FD93
        return h ^ (h >> 32)
    }

    /// The id of `bytes`, if interned.
    ///
    /// - Complexity: O(n) expected; does not allocate.
    public func find(_ bytes: UnsafeRawBufferPointer) -> Int32? {
        let h = Interner.hash(bytes)
        var i = Int(truncatingIfNeeded: h) & mask
        while true {
            let id = slots[i]
            if id < 0 { return nil }
            if matches(Int(id), h, bytes) { return id }
            i = (i + 1) & mask
        }
    }

    /// The id of `bytes`, interning it when new.
    ///
    /// - Complexity: O(n) expected; allocates only when the key is new (amortised growth).
    @discardableResult
    public mutating func intern(_ bytes: UnsafeRawBufferPointer) -> Int32 {
        let h = Interner.hash(bytes)
        var i = Int(truncatingIfNeeded: h) & mask
        while true {
            let id = slots[i]
            if id < 0 { break }
            if matches(Int(id), h, bytes) { return id }
            i = (i + 1) & mask
        }
        let id = Int32(starts.count)
        starts.append(UInt32(arena.count))
        lengths.append(UInt32(bytes.count))
        hashes.append(h)
        arena.append(contentsOf: bytes)
        slots[i] = id
        if starts.count * 2 > slots.count { grow() }
        return id
    }

    /// Interns a `String` (not for the hot path).
    @discardableResult
    public mutating func intern(_ s: String) -> Int32 {
        var s = s
        return s.withUTF8 { intern(UnsafeRawBufferPointer($0)) }
    }

    /// The key of `id` as a `String` (for output, off the hot path).
    public func string(_ id: Int32) -> String {
        let start = Int(starts[Int(id)])
        let end = start + Int(lengths[Int(id)])
        return String(decoding: arena[start..<end], as: UTF8.self)
    }

    /// Runs `body` on the bytes of `id`'s key.
    public func withBytes<R>(_ id: Int32, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        let start = Int(starts[Int(id)])
        let end = start + Int(lengths[Int(id)])
        return arena.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[start..<end])) }
    }

    @inline(__always)
    private func matches(_ id: Int, _ h: UInt64, _ bytes: UnsafeRawBufferPointer) -> Bool {
        guard hashes[id] == h, Int(lengths[id]) == bytes.count else { return false }
        if bytes.count == 0 { return true }
        let start = Int(starts[id])
        return arena.withUnsafeBytes { memcmp($0.baseAddress! + start, bytes.baseAddress!, bytes.count) == 0 }
    }

    private mutating func grow() {
        let size = slots.count * 2
        slots = [Int32](repeating: -1, count: size)
        mask = size - 1
        for id in 0..<starts.count {
            var i = Int(truncatingIfNeeded: hashes[id]) & mask
            while slots[i] >= 0 { i = (i + 1) & mask }
            slots[i] = Int32(id)
        }
    }
}
