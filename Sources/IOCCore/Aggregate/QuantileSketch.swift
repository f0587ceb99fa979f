#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Nearest-rank quantiles of a stream of numbers: exact for small samples, within 1 % relative error beyond,
/// and mergeable (rolling windows, and snapshots merged across machines).
///
/// Up to `exactLimit` values added one by one are kept as they are, so a window's own quantiles are exact for up
/// to 65,536 values (and the `metric.sla` decisions made on them are the exact nearest-rank ones). A merge keeps
/// values as they are only while both sides together hold at most `mergedExactLimit` (a rolling section merges up
/// to 60 windows, each merge stored beside the others: `RollingSpan`). Past either the sketch switches to
/// logarithmic buckets (DDSketch's scheme with relative accuracy `alpha` = 0.5 %): a value `v > 0`
/// falls in bucket `ceil(log_γ v)` with γ = (1+α)/(1−α), and a bucket is reported as `2γ^i/(γ+1)`, which is
/// within α of every value in it. Negative values use a mirrored store; only 0 (and -0) count as zero, so values
/// of any magnitude down to the smallest normal `Double` keep their accuracy (`BucketStore`).
/// The reported quantile is the representative of the bucket holding the value of nearest rank
/// `ceil(q·n)`, clamped to the exact `min`/`max`.
public struct QuantileSketch: Sendable {
    /// Values added one by one that are kept as they are (8 bytes each; a window's own sample).
    public static let exactLimit = 65_536
    /// Values a merge keeps as they are (rolling sections).
    public static let mergedExactLimit = 256
    static let alpha = 0.005
    static let gamma = (1 + alpha) / (1 - alpha)
    static let logGamma = log(gamma)

    public private(set) var count = 0
    public private(set) var min = Double.infinity
    public private(set) var max = -Double.infinity
    private var total = CompensatedSum()
    /// The values times 2^-64, summed beside `total` for the mean of values whose sum leaves the `Double` range
    /// (two of 1e308). Scaling by a power of two is exact above 2^-958, and the scaled sum is only read when the
    /// plain one overflowed, where such small values vanish anyway.
    private var scaledTotal = CompensatedSum()
    /// Sum of the values (compensated, so a mean is as exact as the data allows); not finite when the sum leaves
    /// the `Double` range, though `mean` still is.
    public var sum: Double { total.value }

    /// The mean of the values, nil when empty; finite whenever the values are.
    public var mean: Double? {
        guard count > 0 else { return nil }
        let plain = total.value
        if plain.isFinite { return plain / Double(count) }
        return scaledTotal.value / Double(count) * 0x1p64
    }

    private var exact: [Double] = []
    /// `exact` is in ascending order (`sortValues`, at a window's close); an add or merge unsets it.
    private var exactIsSorted = false
    /// Past `mergedExactLimit` values kept as they are, the buckets hold every value too (each added as it comes,
    /// as a bucketed sketch adds it), so bucketing for a merge is only dropping `exact`: a window's rolling copy,
    /// at every close and every provisional snapshot, costs no pass over its values.
    private var bucketsShadowExact = false
    private var isBucketed = false
    private var positive = BucketStore()
    private var negative = BucketStore()
    private var zeros = 0

    /// Values `add` keeps as they are in this sketch (`exactLimit`, or fewer for tests of the buckets).
    private let addedExactLimit: Int

    public init() { addedExactLimit = QuantileSketch.exactLimit }

    /// A sketch that buckets past `exactLimit` added values (tests: a bucketed sketch of few values).
    init(exactLimit: Int) { addedExactLimit = exactLimit }

    /// Adds one value.
    ///
    /// - Complexity: O(1) amortised; allocates when the exact buffer or a bucket range grows.
    @inline(__always)
    public mutating func add(_ v: Double) {
        count += 1
        total.add(v)
        scaledTotal.add(v * 0x1p-64)
        if v < min { min = v }
        if v > max { max = v }
        if !isBucketed {
            exact.append(v)
            exactIsSorted = false
            if bucketsShadowExact {
                insertBucketed(v, times: 1)
            } else if exact.count > QuantileSketch.mergedExactLimit {
                for x in exact { insertBucketed(x, times: 1) }
                bucketsShadowExact = true
            }
            if exact.count > addedExactLimit { bucketize() }
        } else {
            insertBucketed(v, times: 1)
        }
    }

    /// Adds every value of `other`.
    public mutating func merge(_ other: QuantileSketch) {
        guard other.count > 0 else { return }
        if count == 0 {
            self = other
            bucketizeForMerging()
            return
        }
        count += other.count
        total.add(other.total)
        scaledTotal.add(other.scaledTotal)
        min = Swift.min(min, other.min)
        max = Swift.max(max, other.max)
        if !isBucketed && !other.isBucketed && exact.count + other.exact.count <= QuantileSketch.mergedExactLimit {
            exact.append(contentsOf: other.exact)
            exactIsSorted = false
            return
        }
        if !isBucketed { bucketize() }
        if other.isBucketed || other.bucketsShadowExact {
            positive.merge(other.positive)
            negative.merge(other.negative)
            zeros += other.zeros
        } else {
            for v in other.exact { insertBucketed(v, times: 1) }
        }
    }

    /// Puts the values kept as they are in order, once, for the quantiles and thresholds of a closing window (and
    /// of the open one a provisional snapshot shows): its quantiles then read them without sorting.
    /// - Complexity: O(n log n) the first time, O(1) after.
    mutating func sortValues() {
        guard !isBucketed, !exactIsSorted else { return }
        exact.sort()
        exactIsSorted = true
    }

    /// This sketch as a merge would leave it: bucketed when it holds more than `mergedExactLimit` values as they
    /// are. Done once for a window's rolling sections, rather than at each of their merges.
    mutating func bucketizeForMerging() {
        if !isBucketed && exact.count > QuantileSketch.mergedExactLimit { bucketize() }
    }

    /// The nearest-rank `q`-quantile (0 < q ≤ 1), or nil when empty.
    /// - Complexity: O(1) once `sortValues` has run, O(n log n) for values kept as they are and not yet in order
    ///   (a sort of a copy), O(buckets) after.
    public func quantile(_ q: Double) -> Double? {
        guard count > 0 else { return nil }
        let rank = Swift.max(1, Int((q * Double(count)).rounded(.up)))
        if !isBucketed {
            let sorted = exactIsSorted ? exact : exact.sorted()
            return sorted[Swift.min(rank, sorted.count) - 1]
        }
        var seen = 0
        // Most negative first: the negative store indexes magnitudes, so walk it from the top.
        if let r = negative.find(rank: rank, seen: &seen, descending: true) {
            return clamp(-QuantileSketch.value(ofBucket: r))
        }
        seen += zeros
        if seen >= rank { return clamp(0) }
        if let r = positive.find(rank: rank, seen: &seen, descending: false) {
            return clamp(QuantileSketch.value(ofBucket: r))
        }
        return max
    }

    private func clamp(_ v: Double) -> Double { Swift.min(Swift.max(v, min), max) }

    /// Buckets held by both stores (for tests).
    var bucketCount: Int { positive.bucketCount + negative.bucketCount }

    /// Whether quantiles come from the values as they are (for tests).
    var isExact: Bool { !isBucketed }

    static func bucket(of magnitude: Double) -> Int {
        Int((log(magnitude) / logGamma).rounded(.up))
    }

    static func value(ofBucket i: Int) -> Double {
        2 * pow(gamma, Double(i)) / (gamma + 1)
    }

    private mutating func bucketize() {
        isBucketed = true
        let values = exact
        exact = []
        if bucketsShadowExact {
            bucketsShadowExact = false
            return
        }
        for v in values { insertBucketed(v, times: 1) }
    }

    private mutating func insertBucketed(_ v: Double, times: Int) {
        let m = abs(v)
        if m == 0 {
            zeros += times
        } else if v > 0 {
            positive.add(QuantileSketch.bucket(of: m), times)
        } else {
            negative.add(QuantileSketch.bucket(of: m), times)
        }
    }
}

/// Counts per bucket index: dense over a contiguous range while that range is at most `maxBuckets` wide (any
/// metric whose values lie within 17 orders of magnitude of each other: γ^4096 is about 6·10^17), and past that
/// as a sorted list of the buckets that hold values, so a metric with one outlier twenty orders of magnitude
/// away, or values of 1e-10, keeps every bucket.
///
/// Only when more than `maxBuckets` distinct buckets hold values (at least 4,097 values in different buckets, each
/// about 1 % wide) are the lowest folded into the lowest of the `maxBuckets` highest (DDSketch's collapsing), so the
/// room stays bounded (at most 4,096 buckets a sign) and only the lowest quantiles of such a metric lose accuracy.
/// Either way every value ends in bucket max(its own, the lowest of the `maxBuckets` highest distinct buckets
/// of all the values), whatever the order of adds and merges, so merged sketches still equal one sketch of
/// everything.
struct BucketStore: Sendable {
    static let maxBuckets = 4096

    /// Dense counts from `offset` (empty when the store is sparse or empty).
    private var counts: [Int] = []
    private var offset = 0
    /// Sparse: the buckets holding values, ascending, and their counts (empty while dense).
    private var keys: [Int] = []
    private var keyCounts: [Int] = []

    /// Buckets held (for tests): the dense range, or the sparse buckets.
    var bucketCount: Int { keys.isEmpty ? counts.count : keys.count }

    /// Whether the store has gone sparse (for tests).
    var isSparse: Bool { !keys.isEmpty }

    @inline(__always)
    mutating func add(_ index: Int, _ n: Int) {
        // Most values fall in the dense range already held (a sparse store holds no dense range).
        let i = index &- offset
        if i >= 0 && i < counts.count {
            counts[i] &+= n
            return
        }
        addOutsideRange(index, n)
    }

    /// `add` for a bucket outside the dense range, or for a sparse or empty store.
    private mutating func addOutsideRange(_ index: Int, _ n: Int) {
        if !keys.isEmpty {
            addSparse(index, n)
            return
        }
        if counts.isEmpty {
            offset = index
            counts = [n]
            return
        }
        let end = offset + counts.count
        if Swift.max(index + 1, end) - Swift.min(index, offset) > BucketStore.maxBuckets {
            makeSparse()
            addSparse(index, n)
            return
        }
        if index < offset {
            counts.insert(contentsOf: repeatElement(0, count: offset - index), at: 0)
            offset = index
        } else if index >= end {
            counts.append(contentsOf: repeatElement(0, count: index - end + 1))
        }
        counts[index - offset] += n
    }

    /// Turns the dense counts into the sparse list (at most `maxBuckets` of them hold values).
    private mutating func makeSparse() {
        for (i, c) in counts.enumerated() where c != 0 {
            keys.append(offset + i)
            keyCounts.append(c)
        }
        counts = []
        offset = 0
    }

    /// Adds `n` to bucket `index` of a sparse store, folding the lowest bucket into the next when more than
    /// `maxBuckets` hold values.
    private mutating func addSparse(_ index: Int, _ n: Int) {
        var lo = 0
        var hi = keys.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if keys[mid] < index { lo = mid + 1 } else { hi = mid }
        }
        if lo < keys.count && keys[lo] == index {
            keyCounts[lo] += n
            return
        }
        if lo == 0 && keys.count >= BucketStore.maxBuckets {
            // Below the lowest of the highest `maxBuckets`: it shares that bucket.
            keyCounts[0] += n
            return
        }
        keys.insert(index, at: lo)
        keyCounts.insert(n, at: lo)
        if keys.count > BucketStore.maxBuckets {
            keyCounts[1] += keyCounts[0]
            keys.removeFirst()
            keyCounts.removeFirst()
        }
    }

    /// Adds `other`'s counts bucket by bucket (counts are integers, so the result is the same in any order): two
    /// dense stores whose ranges fit together in one pass, anything else bucket by bucket into a sparse store.
    mutating func merge(_ other: BucketStore) {
        guard other.bucketCount > 0 else { return }
        guard bucketCount > 0 else {
            self = other
            return
        }
        if keys.isEmpty && other.keys.isEmpty {
            let low = Swift.min(offset, other.offset)
            let end = Swift.max(offset + counts.count, other.offset + other.counts.count)
            if end - low <= BucketStore.maxBuckets {
                if other.offset < offset {
                    counts.insert(contentsOf: repeatElement(0, count: offset - other.offset), at: 0)
                    offset = other.offset
                }
                if end > offset + counts.count {
                    counts.append(contentsOf: repeatElement(0, count: end - offset - counts.count))
                }
                let shift = other.offset - offset
                counts.withUnsafeMutableBufferPointer { mine in
                    other.counts.withUnsafeBufferPointer { theirs in
                        for i in theirs.indices { mine[shift + i] += theirs[i] }
                    }
                }
                return
            }
        }
        if keys.isEmpty { makeSparse() }
        if other.keys.isEmpty {
            for (i, c) in other.counts.enumerated() where c != 0 { addSparse(other.offset + i, c) }
        } else {
            for (k, c) in zip(other.keys, other.keyCounts) { addSparse(k, c) }
        }
    }

    /// The bucket holding the value of 1-based `rank`, counting on from `seen`.
    func find(rank: Int, seen: inout Int, descending: Bool) -> Int? {
        if !keys.isEmpty {
            let step = descending ? -1 : 1
            var i = descending ? keys.count - 1 : 0
            while i >= 0 && i < keys.count {
                seen += keyCounts[i]
                if seen >= rank { return keys[i] }
                i += step
            }
            return nil
        }
        if descending {
            for i in counts.indices.reversed() {
                seen += counts[i]
                if seen >= rank { return offset + i }
            }
        } else {
            for i in counts.indices {
                seen += counts[i]
                if seen >= rank { return offset + i }
            }
        }
        return nil
    }
}
