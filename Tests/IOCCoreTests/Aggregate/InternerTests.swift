import Testing

@testable import IOCCore

@Suite("Interner")
struct InternerTests {
    @Test func sameBytesSameIdAcrossGrowth() {
        var interner = Interner(capacity: 2)
        var ids: [Int32] = []
        for i in 0..<10_000 { ids.append(interner.intern("key-\(i)")) }
        #expect(Set(ids).count == 10_000)
        #expect(ids == Array(0..<10_000).map(Int32.init))
        for i in stride(from: 0, to: 10_000, by: 97) {
            #expect(interner.intern("key-\(i)") == Int32(i))
            #expect(interner.string(Int32(i)) == "key-\(i)")
        }
        #expect(interner.count == 10_000)
    }

    @Test("The hash reads every byte of a key of any length, and the length")
    func hashReadsEveryByte() {
        func hash(_ bytes: [UInt8]) -> UInt64 { bytes.withUnsafeBytes { Interner.hash($0) } }
        var seen: Set<UInt64> = []
        for n in 0...40 {
            let key = (0..<n).map { UInt8(0x41 + $0 % 26) }
            let h = hash(key)
            #expect(seen.insert(h).inserted, "length \(n) collides with a shorter prefix")
            for i in 0..<n {
                var changed = key
                changed[i] ^= 0x01
                #expect(hash(changed) != h, "byte \(i) of \(n) not read")
            }
        }
        // Interned keys of every short length stay distinct and findable.
        var interner = Interner()
        let keys = (0...24).flatMap { n in (0..<4).map { String(repeating: "x", count: n) + String($0) } }
        let ids = keys.map { interner.intern($0) }
        #expect(Set(ids).count == keys.count)
        for (key, id) in zip(keys, ids) { #expect(interner.intern(key) == id) }
    }

    @Test func findDoesNotInsert() {
        var interner = Interner()
        "Quận 1".utf8.withContiguousStorageIfAvailable { #expect(interner.find(UnsafeRawBufferPointer($0)) == nil) }
        let id = interner.intern("Quận 1")
        var s = "Quận 1"
        s.withUTF8 { #expect(interner.find(UnsafeRawBufferPointer($0)) == id) }
        #expect(interner.intern("") == 1)
        #expect(interner.string(1) == "")
        #expect(interner.count == 2)
    }

    @Test("Key comparison looks at every byte, whatever the length")
    func equalSeesEveryByte() {
        func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
            a.withUnsafeBytes { a in b.withUnsafeBytes { b in bytesEqual(a.baseAddress!, b.baseAddress!, a.count) }
            }
        }
        for n in 1...24 {
            let key = (0..<n).map { UInt8(0x41 + $0) }
            #expect(equal(key, key.map { $0 }), "length \(n)")
            for i in 0..<n {
                var other = key
                other[i] ^= 0x01
                #expect(!equal(key, other), "length \(n), byte \(i)")
            }
        }
        // Keys that differ only in their tail, through the table: each gets its own id.
        var interner = Interner()
        let keys = (1...20).flatMap { n in ["A", "B"].map { String(repeating: "x", count: n - 1) + $0 } }
        let ids = keys.map { interner.intern($0) }
        #expect(Set(ids).count == keys.count)
        #expect(keys.map { interner.intern($0) } == ids)
    }

    @Test("Keys order by their bytes, as their strings' UTF-8 does (snapshot keys are sorted this way)")
    func precedesIsByteOrder() {
        var interner = Interner()
        let keys = [
            "", "a", "ab", "abc", "b", "B", "Ba Đình", "Bắc Từ Liêm", "Bac Tu Liem", "Cầu Giấy", "Cau Giay",
            "Hoàn Kiếm", "hoàn kiếm", "Tây Hồ", "Tay Ho", "Z", "zz", "\u{1F600}", "é", "e\u{301}", "PA-2026-000001",
            "PA-2026-0000010", "PA-2026-00001",
        ]
        let ids = keys.map { interner.intern($0) }
        for (i, a) in keys.enumerated() {
            for (j, b) in keys.enumerated() {
                #expect(
                    interner.precedes(ids[i], ids[j]) == a.utf8.lexicographicallyPrecedes(b.utf8), "\(a) < \(b)")
            }
        }
    }
}
