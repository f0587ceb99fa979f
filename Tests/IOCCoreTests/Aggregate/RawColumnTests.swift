// Unit tests for RawColumn, the aggregator's raw per-key state columns.

import Testing

@testable import IOCCore

@Suite("RawColumn")
struct RawColumnTests {
    @Test("Values appended and written stay where they were put as the column doubles, like an array's")
    func growthKeepsValues() {
        var column = RawColumn<Int64>(capacity: 1)
        var reference: [Int64] = []
        for i in 0..<1_000 {
            column.append(Int64(i) * 3 - 500)
            reference.append(Int64(i) * 3 - 500)
            // Rewrite an earlier place each step, as the aggregator does with a sensor's newest time.
            let j = (i * 7) % (i + 1)
            column[j] += 1
            reference[j] += 1
        }
        #expect(column.count == reference.count)
        #expect(column.indices == reference.indices)
        #expect(column.indices.allSatisfy { column[$0] == reference[$0] })
    }
}
