import IOCCore
import Testing

@Suite("IntMap")
struct IntMapTests {
    @Test("add and update count in place and insert once, across growth, like the subscript with a default")
    func addAndUpdateMatchTheSubscript() {
        var viaAdd = IntMap<Int>()
        var viaSubscript = IntMap<Int>()
        var sums = IntMap<Double>()
        var expected: [Int32: Int] = [:]
        for i in 0..<5_000 {
            let key = Int32((i * 7919) % 1_000)
            viaAdd.add(key)
            if i % 3 == 0 { viaAdd.add(key, 2) }
            viaSubscript[key, default: 0] += i % 3 == 0 ? 3 : 1
            sums.update(key, default: 0.5) { $0 += 1 }
            expected[key, default: 0] += i % 3 == 0 ? 3 : 1
        }
        #expect(viaAdd.count == expected.count)
        #expect(Dictionary(uniqueKeysWithValues: viaAdd.map { ($0.key, $0.value) }) == expected)
        #expect(Dictionary(uniqueKeysWithValues: viaSubscript.map { ($0.key, $0.value) }) == expected)
        // The default is taken once, when the key is new.
        #expect(sums.count == expected.count)
        #expect(sums.allSatisfy { $0.value == 0.5 + Double(5_000 / 1_000) })
    }
}
