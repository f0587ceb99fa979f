import Foundation
import IOCTestSupport
import Testing

@testable import IOCCore

/// Nearest-rank quantile of a sorted array: the value at rank ceil(q·n).
private func nearestRank(_ sorted: [Double], _ q: Double) -> Double {
    let rank = max(1, Int((q * Double(sorted.count)).rounded(.up)))
    return sorted[rank - 1]
}

/// `count` values from `value` added to one sketch that buckets past 256 values (as merged sketches do) and,
/// round-robin, to three parts; with the values in order.
private func oneAndThreeParts(
    _ count: Int, _ value: (Int) -> Double
) -> (all: QuantileSketch, parts: [QuantileSketch], sorted: [Double]) {
    var all = QuantileSketch(exactLimit: QuantileSketch.mergedExactLimit)
    var parts = [QuantileSketch(), QuantileSketch(), QuantileSketch()]
    var values: [Double] = []
    for i in 0..<count {
        let v = value(i)
        values.append(v)
        all.add(v)
        parts[i % 3].add(v)
    }
    return (all, parts, values.sorted())
}

/// Merges `parts` in three orders: each answers every `q` as `all` does, and holds `buckets` buckets.
private func expectMergesAnswerAsOne(
    _ parts: [QuantileSketch], _ all: QuantileSketch, at qs: [Double], buckets: (Int) -> Bool
) {
    for order in [[0, 1, 2], [2, 0, 1], [1, 2, 0]] {
        var merged = parts[order[0]]
        merged.merge(parts[order[1]])
        merged.merge(parts[order[2]])
        #expect(buckets(merged.bucketCount), "\(merged.bucketCount) buckets")
        for q in qs { #expect(merged.quantile(q) == all.quantile(q), "q=\(q) \(order)") }
    }
}

@Suite("QuantileSketch")
struct QuantileSketchTests {
    @Test func smallSamplesAreExact() {
        var s = QuantileSketch()
        for v in [5.0, 1, 4, 2, 3] { s.add(v) }
        #expect(s.quantile(0.5) == 3)
        #expect(s.quantile(0.9) == 5)
        #expect(s.quantile(0.2) == 1)
        #expect(s.quantile(0.21) == 2)
        #expect(s.count == 5 && s.min == 1 && s.max == 5 && s.sum == 15)
        #expect(QuantileSketch().quantile(0.5) == nil)
    }

    @Test(
        "The mean stays finite and exact at both ends of the Double range",
        arguments: [
            ([1e308, 1e308], 1e308), ([1.7976931348623157e308, 1.7976931348623157e308], 1.7976931348623157e308),
            ([1e308, 1e308, -1e308, -1e308, 4e307], 8e306), ([1e-300, 3e-300], 2e-300),
            ([.leastNonzeroMagnitude, .leastNonzeroMagnitude], .leastNonzeroMagnitude),
            ([0.1, 0.2, 0.3], 0.2),
        ])
    func meanAtTheEnds(values: [Double], mean: Double) throws {
        // In one sketch, and as the merge of the first two values with the rest (the sums overflow in both).
        var one = QuantileSketch()
        var a = QuantileSketch()
        var b = QuantileSketch()
        for (i, v) in values.enumerated() {
            one.add(v)
            if i < 2 { a.add(v) } else { b.add(v) }
        }
        var merged = a
        merged.merge(b)
        for sketch in [one, merged] {
            let m = try #require(sketch.mean)
            #expect(abs(m - mean) <= abs(mean) * 1e-15, "\(m)")
        }
        #expect(QuantileSketch().mean == nil)
    }

    /// Past the exact buffer, every quantile stays within 1 % of the true nearest-rank value (a sketch that
    /// buckets past 256 values, as rolling sections' merges do; a window's own is exact to 65,536).
    @Test("Relative error ≤ 1 %", arguments: [1, 2, 3])
    func errorBound(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        var s = QuantileSketch(exactLimit: QuantileSketch.mergedExactLimit)
        var values: [Double] = []
        for _ in 0..<50_000 {
            // Log-normal-ish response times, plus some zeros and negatives.
            let u = rng.unit()
            var v = 20 * pow(1.0005, Double(rng.next() % 20_000))
            if u < 0.01 { v = 0 } else if u < 0.05 { v = -v }
            values.append(v)
            s.add(v)
        }
        values.sort()
        for q in [0.01, 0.1, 0.5, 0.9, 0.95, 0.99, 1.0] {
            let exact = nearestRank(values, q)
            let approx = s.quantile(q)!
            #expect(abs(approx - exact) <= 0.01 * abs(exact) + 1e-9, "q=\(q) exact=\(exact) approx=\(approx)")
        }
    }

    /// A window's own sample stays exact well past a few hundred values (the nearest rank of every quantile, so a
    /// `metric.sla` threshold compares with the value itself), and past `exactLimit` it is bucketed.
    @Test func aWindowsOwnSampleIsExactUpToTheLimit() {
        var s = QuantileSketch()
        // 300 values: 284 of 1000, 8 of 1999, 8 of 5000; the nearest-rank p95 is the 285th, 1999.
        for v in Array(repeating: 1000.0, count: 284) + Array(repeating: 1999, count: 8)
            + Array(repeating: 5000, count: 8)
        {
            s.add(v)
        }
        #expect(s.quantile(0.95) == 1999)
        #expect(s.quantile(0.5) == 1000)
        // 200 ones and 100 values of 1e20, twenty orders of magnitude apart: exact too.
        var wide = QuantileSketch()
        for i in 0..<300 { wide.add(i < 200 ? 1 : 1e20) }
        #expect(wide.quantile(0.5) == 1)
        var full = QuantileSketch()
        var values: [Double] = []
        for i in 0..<QuantileSketch.exactLimit {
            let v = Double((i &* 7919) % 100_003)
            values.append(v)
            full.add(v)
        }
        values.sort()
        for q in [0.01, 0.5, 0.95, 0.99, 1.0] { #expect(full.quantile(q) == nearestRank(values, q), "q=\(q)") }
        #expect(full.isExact)
        full.add(1)
        #expect(!full.isExact)
    }

    @Test func mergeEqualsOneSketchOfEverything() {
        var a = QuantileSketch()
        var b = QuantileSketch()
        var all = QuantileSketch()
        var values: [Double] = []
        var rng = SplitMix64(seed: 9)
        for i in 0..<3_000 {
            let v = Double(rng.next() % 100_000) / 10
            values.append(v)
            all.add(v)
            if i % 3 == 0 { a.add(v) } else { b.add(v) }
        }
        // Merged the other way round, the same buckets.
        var ba = b
        ba.merge(a)
        a.merge(b)
        values.sort()
        for q in [0.5, 0.9, 0.99] {
            #expect(a.quantile(q) == ba.quantile(q))
            #expect(abs(a.quantile(q)! - nearestRank(values, q)) <= 0.01 * nearestRank(values, q))
            // One sketch of everything is exact (3,000 values added one by one).
            #expect(all.quantile(q) == nearestRank(values, q))
        }
        #expect(a.count == 3_000)
        #expect(!a.isExact, "3,000 merged values are bucketed (over mergedExactLimit)")
        // Small merges stay exact, and so does a merge into an empty sketch of up to mergedExactLimit values.
        var small = QuantileSketch()
        var few = QuantileSketch()
        for v in [3.0, 1, 2] { few.add(v) }
        small.merge(few)
        small.merge(few)
        #expect(small.quantile(0.5) == 2 && small.isExact)
    }

    /// Values from 1e-8 to 1e308 would need 73,000 dense buckets: the store keeps only the ~2,000 that hold
    /// values, so every quantile, the lowest too, keeps its accuracy, and merging in any order equals one sketch.
    @Test func aWideRangeOfValuesKeepsEveryBucket() {
        var rng = SplitMix64(seed: 5)
        // Mostly large values over twenty orders of magnitude, some tiny ones.
        let (all, parts, values) = oneAndThreeParts(3_000) { i in
            i % 10 == 0 ? 1e-8 : pow(10, 288 + Double(rng.next() % 2_000) / 100)
        }
        #expect(all.bucketCount <= BucketStore.maxBuckets && all.bucketCount > 1_000)
        for q in [0.01, 0.1, 0.11, 0.5, 0.9, 0.95, 0.99, 1.0] {
            let exact = nearestRank(values, q)
            #expect(abs(all.quantile(q)! - exact) <= 0.01 * exact, "q=\(q)")
        }
        expectMergesAnswerAsOne(parts, all, at: [0.05, 0.1, 0.5, 0.95, 0.99]) { $0 <= BucketStore.maxBuckets }
    }

    /// What a rolling section merges for a metric of tiny values (an error rate of 1e-10), or of ordinary values
    /// with one glitch twenty orders of magnitude above: nearest-rank quantiles within 1 %, where the lowest
    /// bucket (or a floor of 1e-9) used to answer.
    @Test(arguments: [false, true])
    func tinyValuesAndFarOutliersKeepTheirAccuracy(outlier: Bool) {
        var windows = [QuantileSketch(), QuantileSketch()]
        var values: [Double] = []
        for i in 0..<300 {
            let v = outlier ? 100 + Double(i * 19 % 1_900) : 1e-10 * (1 + Double(i) / 30)
            values.append(v)
            windows[i / 150].add(v)
        }
        if outlier {
            values.append(1e22)
            windows[1].add(1e22)
        }
        var merged = QuantileSketch()
        for w in windows { merged.merge(w) }
        #expect(!merged.isExact)
        values.sort()
        for q in [0.01, 0.5, 0.9, 0.95, 0.99, 1.0] {
            let exact = nearestRank(values, q)
            #expect(abs(merged.quantile(q)! - exact) <= 0.01 * exact, "q=\(q) exact=\(exact)")
        }
    }

    /// Two dense stores whose ranges do not fit together (a window of ordinary values, one of values near 1e22)
    /// merge into a sparse one, in either order, and answer as one sketch of all the values does.
    @Test func denseStoresTooFarApartMergeIntoASparseOne() {
        var low = QuantileSketch()
        var high = QuantileSketch()
        var all = QuantileSketch(exactLimit: QuantileSketch.mergedExactLimit)
        var values: [Double] = []
        for i in 0..<300 {
            let a = 100 + Double(i * 37 % 1_900)
            let b = 1e22 * (1 + Double(i) / 300)
            low.add(a)
            high.add(b)
            all.add(a)
            all.add(b)
            values += [a, b]
        }
        var lowHigh = low
        lowHigh.merge(high)
        var highLow = high
        highLow.merge(low)
        values.sort()
        #expect(all.bucketCount <= BucketStore.maxBuckets)
        for q in [0.01, 0.25, 0.5, 0.51, 0.75, 0.99, 1.0] {
            let exact = nearestRank(values, q)
            #expect(lowHigh.quantile(q) == all.quantile(q) && highLow.quantile(q) == all.quantile(q), "q=\(q)")
            #expect(abs(lowHigh.quantile(q)! - exact) <= 0.01 * exact, "q=\(q)")
        }
        var store = BucketStore()
        store.add(0, 1)
        store.add(BucketStore.maxBuckets - 1, 1)
        #expect(!store.isSparse)
        var far = BucketStore()
        far.add(BucketStore.maxBuckets, 1)
        store.merge(far)
        #expect(store.isSparse && store.bucketCount == 3)
    }

    /// More than 4,096 buckets holding values (10,000 values over 300 orders of magnitude): the lowest fold into
    /// one, the store stays at 4,096 buckets a sign, the upper quantiles keep their accuracy, and any order of
    /// merges still equals one sketch of everything.
    @Test func moreDistinctMagnitudesThanBucketsTakeBoundedRoom() {
        var rng = SplitMix64(seed: 8)
        let (all, parts, values) = oneAndThreeParts(10_000) { _ in pow(10, -150 + Double(rng.next() % 30_000) / 100) }
        #expect(all.bucketCount == BucketStore.maxBuckets)
        for q in [0.7, 0.9, 0.99, 1.0] {
            let exact = nearestRank(values, q)
            #expect(abs(all.quantile(q)! - exact) <= 0.01 * exact, "q=\(q)")
        }
        expectMergesAnswerAsOne(parts, all, at: [0.01, 0.3, 0.5, 0.9, 0.99]) { $0 == BucketStore.maxBuckets }
    }

    /// Bucket ranges that lie below, above, inside or around each other, with negatives and zeros, and empty
    /// sketches on either side: a merge answers every quantile as one sketch of all the values does.
    @Test(arguments: [
        (1.0, 50.0, 100.0, 900.0), (100.0, 900.0, 1.0, 50.0), (1.0, 900.0, 40.0, 60.0),
        (40.0, 60.0, 1.0, 900.0), (-50.0, 50.0, -5.0, 0.0), (0.0, 0.0, 1.0, 2.0),
    ])
    func mergeOfAnyTwoRanges(_ ranges: (Double, Double, Double, Double)) {
        // Bucketed past 256 values added, as merged sketches are.
        let limit = QuantileSketch.mergedExactLimit
        var a = QuantileSketch(exactLimit: limit)
        var b = QuantileSketch(exactLimit: limit)
        var all = QuantileSketch(exactLimit: limit)
        var rng = SplitMix64(seed: 11)
        func value(_ lo: Double, _ hi: Double) -> Double { lo + Double(rng.next() % 10_000) / 10_000 * (hi - lo) }
        for _ in 0..<2_000 {
            let v = value(ranges.0, ranges.1)
            a.add(v)
            all.add(v)
            let w = value(ranges.2, ranges.3)
            b.add(w)
            all.add(w)
        }
        let aOnly = a
        var empty = QuantileSketch()
        empty.merge(a)
        a.merge(QuantileSketch())
        a.merge(b)
        for q in stride(from: 0.01, through: 1.0, by: 0.01) {
            #expect(a.quantile(q) == all.quantile(q), "q=\(q)")
            #expect(empty.quantile(q) == aOnly.quantile(q), "q=\(q)")
        }
        #expect(a.count == 4_000)
    }
}
