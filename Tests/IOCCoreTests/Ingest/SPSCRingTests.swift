import Dispatch
import Testing

@testable import IOCCore

@Suite("SPSCRing")
struct SPSCRingTests {
    /// Every layout: capacity × start slot × fill count, checking order, bounds and the invariant.
    @Test("Exhaustive layouts", arguments: [2, 4, 8, 16])
    func layouts(capacity: Int) {
        for start in 0..<capacity {
            for fill in 0...capacity {
                let ring = SPSCRing<Int>(capacity: capacity)
                // Move head/tail to `start`.
                for i in 0..<start {
                    #expect(ring.tryPush(i))
                    #expect(ring.tryPop() == i)
                }
                for i in 0..<fill { #expect(ring.tryPush(100 + i)) }
                #expect(ring.checkInvariant())
                #expect(ring.count == fill)
                #expect(ring.tryPush(-1) == (fill < capacity))
                let pushed = fill < capacity ? fill + 1 : fill
                #expect(ring.checkInvariant())
                for i in 0..<fill { #expect(ring.tryPop() == 100 + i) }
                if pushed > fill { #expect(ring.tryPop() == -1) }
                #expect(ring.tryPop() == nil)
                #expect(ring.count == 0)
                #expect(ring.checkInvariant())
            }
        }
    }

    @Test func rejectsCapacityThatIsNotAPowerOfTwo() async {
        await #expect(processExitsWith: .failure) { _ = SPSCRing<Int>(capacity: 6) }
    }

    /// One producer and one consumer thread move a million integers; order and count are kept.
    @Test func concurrentTransferKeepsOrder() {
        let ring = SPSCRing<Int>(capacity: 64)
        let n = 1_000_000
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            var i = 0
            while i < n {
                if ring.tryPush(i) { i += 1 }
            }
            group.leave()
        }
        var expected = 0
        var ordered = true
        while expected < n {
            if let v = ring.tryPop() {
                if v != expected { ordered = false }
                expected += 1
            }
        }
        group.wait()
        #expect(ordered)
        #expect(ring.tryPop() == nil)
    }
}
