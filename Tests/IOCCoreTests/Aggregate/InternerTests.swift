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
}
